"""A kollegasparring session people really used: nine phones, own dilemmas, a refused start, a
rejoin, a move, reflections, a hidden text, two people saving the group's advice at once, the end.

What it checks is what a clean fixture never reached: the merged advice keeps the duty the group
chose, the last case says so, the own-dilemma form leaves the phones at the end, a refusal from
before the room changed does not stay on the control page, and every screen speaks of reflections
and advice (not reasons and answers), in Danish and on the one English phone.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict

from tests.utils.clients import Control, Facilitator, Phone, Projector
from tests.utils.fragments import text
from tests.utils.server import LiveServer

DILEMMA = (
    "Min direktør beder mig skrive et notat, der understøtter den løsning, formanden allerede "
    "har lovet i pressen, men tallene holder ikke."
)
OTHER = "Jeg er uenig med min chef om en dispensation, og udvalget mødes i morgen tidlig."
LATE = "Et dilemma sendt sent, som ingen nåede at se på, inden sessionen sluttede."


def test_a_lived_in_kollegasparring_session(server: LiveServer, facilitator: Facilitator) -> None:
    asyncio.run(_lived_in(server, facilitator))


async def _lived_in(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Kollegasparring, april", [], 3, "kollegasparring")
    control = Control(server.url, code, fac)
    projector = Projector(server.url, code, fac.cookie())
    await control.connect()
    await projector.connect()
    phones = [Phone(server.url, f"Leder{n}x") for n in range(9)]
    english = phones[8]
    await english.http.get("/lang/en")
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    await projector.shows("proj-stage", "9 er med")
    for phone, dilemma in zip(phones, (DILEMMA, OTHER), strict=False):
        assert "sendt anonymt" in (await phone.http.post("/p/dilemma", data={"text": dilemma})).text

    # Start refused (no case yet): the control page shows why, as htmx swaps the answer in.
    refused = fac.http.post(f"/facilitator/sessions/{code}/start")
    assert "ingen cases at starte med" in text(refused.text)
    control.page.top["ctl-flash"] = refused.text
    url = f"/facilitator/sessions/{code}/dilemmas"
    ids = [int(part.split('"')[0]) for part in fac.http.get(url).text.split("/dilemmas/")[1:]]
    data = {"action": "promote", "title": "Notatet", "text": DILEMMA, "duty": "sandhed"}
    assert fac.http.post(f"{url}/{ids[0]}", data=data).status_code == 303
    await control.until(lambda p: "1 nyt dilemma venter" in p.text("ctl-submissions"))
    assert text(control.page.html("ctl-flash")) == "", "the refusal no longer holds"

    assert fac.act(code, "start") == ""
    for phone in phones:
        await phone.until(lambda _, ph=phone: ph.group() != "", what="a group")
    # A move and a rejoin, as in a real room.
    groups: dict[str, list[Phone]] = defaultdict(list)
    for phone in phones:
        groups[phone.group()].append(phone)
    assert sorted(len(g) for g in groups.values()) == [3, 3, 3]
    mover = groups["3"].pop()
    assert fac.act(code, "move", participant=mover.number(), group=2) == ""
    await mover.until(lambda p: mover.group() == "2", what="moved to group 2")
    groups["2"].append(mover)
    rejoiner = groups["1"][0]
    await rejoiner.close()
    await rejoiner.connect()
    await rejoiner.shows("phone-stage", "Notatet")

    # The duty beside the case: in the page's language, the guidance too; the Danish term only
    # for English readers (a Danish projector showed "Truthfulness").
    await projector.shows("proj-duties", "Sandhed")
    assert "Truthfulness" not in projector.page.text("proj-duties")
    danish_duty = phones[0].page.text("phone-stage")
    assert "Det betyder" in danish_duty and "korrekte og retvisende" in danish_duty
    assert "Truthfulness" not in danish_duty
    english_duty = english.page.text("phone-stage")
    assert "Truthfulness" in english_duty and "What it means" in english_duty
    assert "Give correct and fair case information" in english_duty
    assert "korrekte og retvisende" not in english_duty and "Det betyder" not in english_duty
    assert "Saml uenige" not in control.page.text("ctl-groups"), "nothing is voted here"

    for phase in ("clarify", "reflect"):
        assert fac.act(code, "phase", action="next") == ""
        for phone in phones:
            await phone.until(lambda p, ph=phase: f'data-phase="{ph}"' in p.html("phone-stage"))
    for n, phone in enumerate(groups["1"] + groups["2"]):
        mid = await phone.send(
            {"action": "reason", "case": phone.case_id(), "reason": f"Refleksion {n}: sandhed"}
        )
        said = await phone.reply(mid)
        assert said in ("Din refleksion er gemt.", "Your reflection is saved."), said
    await control.shows("ctl-texts", "Refleksion 4")
    for phone in phones:
        words = phone.page.text("phone-stage").lower()
        assert "begrundelse" not in words and "your reason" not in words, words
    assert "Jeres refleksioner" in phones[0].page.text("phone-stage")
    assert "Your reflections" in english.page.text("phone-stage")
    hide = re.search(
        r'"kind": "post", "id": "(\d+)"[^>]*>[^<]*</button>', control.page.html("ctl-texts")
    )
    assert hide
    assert fac.act(code, "hide", kind="post", id=hide.group(1), hidden="1") == ""

    # Two people in group 1 save the advice at once: the second merges, the duty stays chosen.
    assert fac.act(code, "phase", action="next") == ""
    writer, editor, _ = groups["1"]
    await writer.shows("phone-stage", "Bliv enige om gruppens råd")
    await editor.shows("phone-stage", "Bliv enige om gruppens råd")
    case = writer.case_id()
    await writer.send(
        {
            "action": "answer",
            "case": case,
            "text": "Vis tallene for direktøren.",
            "base_version": 0,
            "duty": "sandhed",
        }
    )
    await writer.shows("answer-form", "version 1")
    await editor.send(
        {"action": "answer", "case": case, "text": "Sig fra skriftligt.", "base_version": 0}
    )
    page = await editor.shows("answer-form", "En anden i gruppen har gemt en nyere version")
    # The form stays as the editor had it (the phone keeps its draft), based now on version 1;
    # the duty the draft left unset is the saved one's: the merge keeps the group's duty.
    assert 'name="base_version" value="1"' in page.html("answer-form")
    assert editor.chosen_duty() == "sandhed", "the merge keeps the group's duty"
    await editor.send(
        {
            "action": "answer",
            "case": case,
            "text": "Vis tallene for direktøren, og sig fra skriftligt.",
            "base_version": 1,
            "duty": editor.chosen_duty(),
        }
    )
    await writer.shows("group-answer-current", "version 2")
    await control.shows("ctl-texts", "(gruppens råd)")
    assert "gruppens svar" not in control.page.text("ctl-texts")
    mid = await editor.send({"action": "answer", "case": case, "text": "", "base_version": 2})
    assert await editor.reply(mid) == "Skriv gruppens råd"
    for group in ("2", "3"):
        scribe = groups[group][0]
        await scribe.answer("", f"Råd fra gruppe {group}", 0)
        await scribe.until(lambda p: 'name="base_version" value="1"' in p.html("answer-form"))
    assert fac.act(code, "phase", action="next") == ""
    page = await projector.shows("proj-stage", "og sig fra skriftligt")
    assert '<span class="answer-duty">Sandhed</span>' in page.html("proj-stage")

    # The only case closes: nobody is told to wait for another.
    assert fac.act(code, "phase", action="next") == ""
    for phone in phones:
        page = await phone.until(lambda p: 'data-phase="closed"' in p.html("phone-stage"))
        last = "That was the last case" if phone is english else "Det var sidste case"
        assert last in page.text("phone-stage")
        assert "Venter på næste case" not in page.text("phone-stage")
        assert "Waiting for the next case" not in page.text("phone-stage")
        assert "dilemma" in page.text("phone-dilemma")

    # A dilemma arrives late and is never handled; then the end.
    assert "sendt anonymt" in (await phones[5].http.post("/p/dilemma", data={"text": LATE})).text
    await control.shows("ctl-submissions", "2 nye dilemmaer venter")
    assert fac.act(code, "end") == ""
    await projector.shows("proj-stage", "1 case drøftet af 9 deltagere i 3 grupper.")
    for phone in phones:
        await phone.until(lambda _, ph=phone: ph.phase() == "ended", what="the end")
        await phone.until(lambda p: "hidden" in p.html("phone-dilemma"), what="no dilemma form")
        assert text(phone.page.html("phone-dilemma")) == ""
    await control.until(lambda p: "fremhæv" not in p.text("ctl-submissions").lower())
    review = fac.http.get(url).text
    assert LATE in review and "Fremhæv som case" not in review
    assert "kan ikke længere fremhæves" in review
    refused = fac.http.post(f"{url}/{ids[1]}", data={**data, "text": OTHER})
    assert refused.status_code == 400 and "afsluttet" in refused.text

    summary = fac.http.get(f"/facilitator/sessions/{code}/summary.json").json()
    assert [a["reasoning"] for a in summary["cases"][0]["group_answers"]].count(
        "Vis tallene for direktøren, og sig fra skriftligt."
    ) == 1
    page = fac.http.get(f"/facilitator/sessions/{code}/summary").text
    assert "Gruppernes råd" in page and "Gruppernes svar" not in page
    assert "3 grupper" in page
    for page in [*phones, control, projector]:
        await page.close()
