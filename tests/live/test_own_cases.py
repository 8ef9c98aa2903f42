"""Kollegasparring as Thisted practises it: each group runs its own case-giver's case in parallel,
through real websockets; the projector never shows a case; the case-giver decides what leaves."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator

import pytest

from tests.conftest import serve
from tests.utils.clients import Facilitator, Phone, Projector, arm_csrf
from tests.utils.server import REVIEWER, LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own, not the shared one: Tendenser counts what was published to its
    reviewer."""
    yield from serve(tmp_path_factory)


CASES = [
    (
        "Notatet før valget",
        "Borgmesteren vil have et notat, der støtter hans løfte i pressen, men tallene holder ikke.",
    ),
    (
        "Udvalgsformandens mail",
        "Udvalgsformanden beder mig direkte om at prioritere en sag fra hans eget lokalområde.",
    ),
    (
        "Dispensationen",
        "Min direktør vil give en dispensation, som jeg mener ligger uden for lovens rammer.",
    ),
]


def test_three_groups_run_their_own_cases(server: LiveServer, facilitator: Facilitator) -> None:
    asyncio.run(_three_groups(server, facilitator))


async def _in(phone: Phone, fid: str, needle: str) -> None:
    await phone.shows(fid, needle, timeout=10)


async def _three_groups(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Chefforum, marts", [], 3, "kollegasparring", group_cases="1")
    projector = Projector(server.url, code, fac.cookie())
    await projector.connect()
    phones = [Phone(server.url, f"Leder{n}") for n in range(9)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    # In the lobby a phone offers to bring a case; writing one is confirmed to that phone only.
    await _in(phones[0], "phone-groupcase", "Har du en sag med?")
    assert fac.act(code, "start") == ""
    await projector.shows("proj-stage", "Find jeres case")
    await projector.shows("progress", "0 af 3 grupper har en case-giver")
    for phone in phones:
        await phone.until(lambda p: "Gruppe" in p.text("phone-header"))
    groups: dict[str, list[Phone]] = {}
    for phone in phones:
        groups.setdefault(phone.group(), []).append(phone)
    assert sorted(len(g) for g in groups.values()) == [3, 3, 3]
    teams = list(groups.values())
    givers = [team[0] for team in teams]
    for giver, (title, text) in zip(givers, CASES, strict=True):
        mid = await giver.send({"action": "case", "title": title, "text": text})
        assert "Din sag er gemt" in await giver.reply(mid)
    for team, (title, text) in zip(teams, CASES, strict=True):
        for member in team[1:]:
            await _in(member, "phone-groupcase", text)
            await _in(member, "phone-groupcase", "Case-giver er deltager")
        for _, other in (c for c in CASES if c[0] != title):
            assert other not in team[1].page.text("phone-stage")
    await projector.shows("progress", "3 af 3 grupper har en case-giver")

    async def step(phase: str) -> None:
        assert fac.act(code, "phase", action="next") == ""
        for phone in phones:
            await phone.until(lambda p, ph=phase: f'data-phase="{ph}"' in p.html("phone-stage"), 10)

    await step("present")
    assert "Fremlæg din sag" in givers[0].page.text("phone-groupcase")
    assert "Lyt til case-giveren" in teams[0][1].page.text("phone-groupcase")
    mid = await teams[0][2].send({"action": "done"})
    assert "Gruppen er klar" in await teams[0][2].reply(mid)
    await projector.shows("progress", "1 af 3 grupper er klar")

    await step("clarify")
    asker = teams[1][1]
    mid = await asker.send(
        {"action": "questions", "case": asker.case_id(), "questions": "Hvem vidste hvad hvornår?"}
    )
    assert "spørgsmål er gemt" in await asker.reply(mid)
    assert "Hvem vidste" not in teams[1][2].page.text("phone-stage")

    await step("reflect")
    mid = await givers[0].send({"action": "duty", "duty": "sandhed", "on": "1"})
    assert "lytter" in await givers[0].reply(mid)
    duties = (("sandhed", "Sandhed"), ("faglighed", "Faglighed"), ("lovlighed", "Lovlighed"))
    for team, (duty, name) in zip(teams, duties, strict=True):
        mid = await team[1].send({"action": "duty", "duty": duty, "on": "1"})
        await team[1].reply(mid)
        assert "Case-giver er deltager ?" not in team[1].page.text("phone-groupcase")
        await _in(team[0], "phone-groupcase", name)  # the case-giver sees what the group marks
        await _in(team[2], "phone-groupcase", f"✓ {name}")

    await step("group_answer")
    advice = ["Råd et: tal med direktøren.", "Råd to: sig nej skriftligt.", "Råd tre: jurist."]
    for team, text in zip(teams, advice, strict=True):
        await team[1].send(
            {"action": "answer", "case": team[1].case_id(), "text": text, "base_version": 0}
        )
        await _in(team[0], "group-answer-current", text)
    await projector.shows("progress", "3 af 3 grupper har givet deres råd")

    await step("takeaway")
    mid = await teams[0][1].send({"action": "close", "share": "advice"})
    assert "Kun case-giveren" in await teams[0][1].reply(mid)
    mid = await givers[2].send({"action": "close", "share": "case", "brief": "kort"})
    assert "anonymiserede version" in await givers[2].reply(mid)
    closes = [
        {"share": "none", "takeaway": "Jeg taler med min chef."},
        {"share": "advice", "takeaway": "Skriftlighed."},
        {
            "share": "case",
            "takeaway": "Juristen først.",
            "brief": "En leder blev bedt om at dispensere uden for rammerne; skriv til a@b.dk.",
            "keep_open": "1",
        },
    ]
    for giver, close in zip(givers, closes, strict=True):
        mid = await giver.send({"action": "close", **close})
        assert "Sagen er lukket" in await giver.reply(mid)
    await projector.shows("progress", "3 af 3 case-givere har lukket")
    await _in(teams[1][2], "phone-groupcase", "Case-giveren har lukket sagen")

    # The projector saw the steps and the progress, never a case, a question or an advice.
    seen = "".join(projector.received)
    for title, text in CASES:
        assert title not in seen and text not in seen
    assert "Hvem vidste" not in seen and not any(a in seen for a in advice)
    control = fac.http.get(f"/facilitator/sessions/{code}").text
    assert "Gruppernes cases" in control and "Egen sag" in control
    assert not any(text in control for _, text in CASES)  # own cases stay in the groups
    assert not any(a in control for a in advice)

    # The summary holds what the case-givers shared, and nothing they kept in the group.
    assert fac.act(code, "end") == ""
    data = fac.http.get(f"/facilitator/sessions/{code}/summary.json").json()
    assert data["own_cases"] and data["cases"] == [] and data["cases_run"] == 3
    shared = sorted(data["shared_cases"], key=lambda c: c["advice"])
    assert [c["advice"] for c in shared] == advice[1:]
    assert shared[0]["title"] == "" and shared[0]["brief"] == ""  # advice only: no case
    assert shared[1]["title"] == "Dispensationen"
    assert "a@b.dk" not in shared[1]["brief"] and "[fjernet]" in shared[1]["brief"]
    dumped = str(data)
    assert advice[0] not in dumped and "Sandhed" not in dumped and "sandhed" not in dumped
    assert not any(text in dumped for _, text in CASES)
    assert "Udvalgsformandens mail" not in dumped and "Notatet før valget" not in dumped
    assert "Hvem vidste" not in dumped and "Juristen først" not in dumped  # takeaways stay
    assert [(d["duty"], d["cases"]) for d in data["duties_in_play"]] == [
        ("lovlighed", 1),
        ("faglighed", 1),
    ]
    page = fac.http.get(f"/facilitator/sessions/{code}/summary").text
    assert "Kollegasparring: egne sager" in page and "Råd tre: jurist." in page
    assert "uden afstemning" not in page and "Gruppernes svar" not in page
    markdown = fac.http.get(f"/facilitator/sessions/{code}/summary.md").text
    assert "Dilemmaet i korte træk" in markdown and advice[0] not in markdown
    pdf = fac.http.get(f"/facilitator/sessions/{code}/summary.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Read in English: the duties and the removal marker in English too (the texts as typed).
    fac.http.cookies.set("sparring_lang", "en")
    try:
        english = [
            fac.http.get(f"/facilitator/sessions/{code}/summary{x}").text for x in ("", ".md")
        ]
    finally:
        fac.http.cookies.delete("sparring_lang")
    for text in english:
        assert "Legality" in text and "Professionalism" in text and "Lovlighed" not in text
        assert "[removed]" in text and "[fjernet]" not in text

    # The series' next meeting: the case kept open is followed up by its case-giver, found again
    # from the same phone (browser), and nobody else sees it.
    # The raw rows go (here at once); the case kept open waits for the next meeting.
    purged = fac.http.post(f"/facilitator/sessions/{code}/purge", data={"confirm": "1"})
    assert purged.status_code in (200, 303), purged.text
    assert fac.http.get(f"/facilitator/sessions/{code}/summary.json").json() == data
    db = sqlite3.connect(server.data_dir / "sparring.db")
    try:
        left = db.execute(
            "SELECT title, group_id, giver_id FROM groupcase WHERE session_id ="
            " (SELECT id FROM session WHERE code = ?)",
            (code,),
        ).fetchall()
    finally:
        db.close()
    assert left == [("Dispensationen", None, None)]
    r = fac.http.post(f"/facilitator/sessions/{code}/next-meeting")
    assert r.status_code == 303
    second = r.headers["location"].rsplit("/", 1)[-1]
    for phone in phones:
        await phone.close()
    keeper, newcomers = givers[2], [Phone(server.url, f"Ny{n}") for n in range(2)]
    assert (await keeper.join(second)).status_code == 303
    await _in(keeper, "phone-groupcase", "Din sag fra sidste møde: Dispensationen")
    for phone in newcomers:
        assert (await phone.join(second)).status_code == 303
    assert "Dispensationen" not in newcomers[0].page.text("phone-stage")
    assert fac.act(second, "start") == ""
    await projector.close()
    for phone in (keeper, *newcomers):
        await phone.until(lambda p: "Gruppe" in p.text("phone-header"), 10)
    mid = await newcomers[0].send({"action": "case", "title": CASES[0][0], "text": CASES[0][1]})
    assert "Din sag er gemt" in await newcomers[0].reply(mid)
    assert fac.act(second, "phase", action="next") == ""
    await _in(keeper, "phone-groupcase", "Fortæl gruppen, hvad der skete")
    await _in(newcomers[1], "phone-groupcase", "følger op på sin sag fra sidste møde")
    assert "Dispensationen" not in newcomers[1].page.text("phone-stage")
    gcase = re.search(r'name="gcase" value="(\d+)"', keeper.page.html("phone-stage"))
    assert gcase
    mid = await keeper.send({"action": "followup", "gcase": gcase.group(1), "text": "Det gik."})
    assert "Opfølgningen er gemt" in await keeper.reply(mid)
    for phase in ("present", "clarify", "reflect"):
        assert fac.act(second, "phase", action=phase) == ""
    await newcomers[1].until(lambda p: 'data-phase="reflect"' in p.html("phone-stage"), 10)
    await newcomers[1].send({"action": "duty", "duty": "lovlighed", "on": "1"})
    await _in(keeper, "phone-groupcase", "Lovlighed")
    assert fac.act(second, "phase", action="takeaway") == ""
    await newcomers[0].until(lambda p: 'data-phase="takeaway"' in p.html("phone-stage"), 10)
    mid = await newcomers[0].send({"action": "close", "share": "advice"})
    assert "Sagen er lukket" in await newcomers[0].reply(mid)
    assert fac.act(second, "end") == ""
    later = fac.http.get(f"/facilitator/sessions/{second}/summary.json").json()
    assert later["follow_ups"] == 1 and "Det gik" not in str(later)

    # Tendenser: the duties that recur in the shared dilemmas, from published summaries only.
    server.add_user(*REVIEWER, role="reviewer")
    for c in (code, second):  # published to the reviewer by name (app.access)
        page = fac.http.get(f"/facilitator/sessions/{c}/summary").text
        readers = re.findall(r'name="reader" value="(\d+)"', page)
        r = fac.http.post(f"/facilitator/sessions/{c}/publish", data={"reader": readers})
        assert r.status_code in (200, 303)
    reviewer = Facilitator(server.url)
    reviewer.http.get("/review/login")
    arm_csrf(reviewer.http)
    login = {"username": REVIEWER[0], "password": REVIEWER[1]}
    assert reviewer.http.post("/review/login", data=login).status_code == 303
    trends = reviewer.http.get("/review/trends").text
    assert "Pligter der går igen i egne dilemmaer" in trends
    row = trends.split("Lovlighed", 1)[1].split("</tr>", 1)[0]
    assert "<td>2</td>" in row  # in both meetings
    assert "Sandhed" not in trends  # marked in a case its case-giver kept in the group
    for phone in (*phones, *newcomers):
        await phone.aclose()


def test_the_facilitator_helps_groups_without_a_case(
    server: LiveServer, facilitator: Facilitator
) -> None:
    asyncio.run(_help(server, facilitator))


async def _help(server: LiveServer, fac: Facilitator) -> None:
    refused = fac.http.post(
        "/facilitator/sessions",
        data={
            "title": "Med bibliotek",
            "group_size": 3,
            "format": "kollegasparring",
            "group_cases": "1",
            "cases": ["kl-01-spareoevelsen"],
        },
    )
    assert refused.status_code == 400 and "fjern fluebenene" in refused.text
    code = fac.create_session("Chefforum, april", [], 3, "kollegasparring", group_cases="1")
    phones = [Phone(server.url, f"P{n}") for n in range(6)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    assert fac.act(code, "start") == ""
    for phone in phones:
        await phone.until(lambda p: "Gruppe" in p.text("phone-header"), 10)
    one = [p for p in phones if p.group() == "1"]
    two = [p for p in phones if p.group() == "2"]
    assert "Vælg et indsendt dilemma" in fac.act(code, "assign", group="1")
    assert fac.act(code, "assign", group="1", slug="kl-01-spareoevelsen") == ""
    await _in(one[1], "phone-groupcase", "Spareøvelsen")
    await _in(one[1], "phone-groupcase", "Casen har ingen case-giver endnu")
    assert "allerede en case" in fac.act(code, "assign", group="1", slug="kl-01-spareoevelsen")
    control = fac.http.get(f"/facilitator/sessions/{code}").text
    assert "Bibliotekscase: Spareøvelsen" in control  # the facilitator handed it out: named
    mid = await one[1].send({"action": "take"})
    assert "Du er case-giver" in await one[1].reply(mid)
    mid = await one[2].send({"action": "take"})
    assert "allerede en case-giver" in await one[2].reply(mid)
    # Group 2 has no case: it joins group 1 and its case (two groups with cases could not).
    assert "to forskellige grupper" in fac.act(code, "merge", source="1", target="1")
    assert fac.act(code, "merge", source="2", target="1") == ""
    for phone in two:
        await _in(phone, "phone-header", "Gruppe 1")
        await _in(phone, "phone-groupcase", "Spareøvelsen")
    mid = await two[0].send({"action": "case", "title": "Min sag", "text": "x" * 30})
    assert "Din sag er gemt" in await two[0].reply(mid)
    await _in(two[0], "phone-groupcase", "din gruppe har allerede en case")
    assert "Deltager " + str(two[0].number()) in fac.http.get(f"/facilitator/sessions/{code}").text
    for phone in phones:
        await phone.aclose()


def test_new_groups_keep_each_case_with_its_case_giver(
    server: LiveServer, facilitator: Facilitator
) -> None:
    asyncio.run(_regroup(server, facilitator))


async def _regroup(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Chefforum, maj", [], 3, "kollegasparring", group_cases="1")
    phones = [Phone(server.url, f"R{n}") for n in range(6)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    titles = ["Sag om budgettet", "Sag om høringen"]
    for phone, title in zip(phones, titles, strict=False):
        mid = await phone.send({"action": "case", "title": title, "text": title + " " + "x" * 30})
        assert "Din sag er gemt" in await phone.reply(mid)
    assert fac.act(code, "start") == ""
    for round_ in range(3):  # whatever the draw, a case stays with its case-giver
        assert fac.act(code, "regroup", mode="random") == ""
        for phone, title in zip(phones, titles, strict=False):
            await phone.until(lambda p, t=title: t in p.text("phone-groupcase"), 10, f"{round_}")
        data = fac.http.get(f"/facilitator/sessions/{code}").text
        assert "Sag om" not in data  # own cases stay in the groups, also on the control page
    # In English the phone's tasks and the panel are English; the case stays as it was typed.
    await phones[0].http.get("/lang/en", params={"next": "/p"})
    page = (await phones[0].http.get("/p")).text
    assert "Find your case" in page and "You are the case-giver" in page
    assert "Sag om budgettet" in page and "Du er case-giver" not in page
    for phone in phones:
        await phone.aclose()


def test_a_case_giver_on_a_new_phone_claims_the_open_case(
    server: LiveServer, facilitator: Facilitator
) -> None:
    asyncio.run(_new_phone(server, facilitator))


async def _new_phone(server: LiveServer, fac: Facilitator) -> None:
    fac_code = fac.create_session("Chefforum, juni", [], 3, "kollegasparring", group_cases="1")
    phones = [Phone(server.url, f"N{n}") for n in range(3)]
    for phone in phones:
        assert (await phone.join(fac_code)).status_code == 303
    title = "Sagen om puljen"
    mid = await phones[0].send({"action": "case", "title": title, "text": "x" * 40})
    assert "Din sag er gemt" in await phones[0].reply(mid)
    assert fac.act(fac_code, "start") == ""
    assert fac.act(fac_code, "phase", action="takeaway") == ""
    await phones[0].until(lambda p: 'data-phase="takeaway"' in p.html("phone-stage"), 10)
    mid = await phones[0].send({"action": "close", "share": "none", "keep_open": "1"})
    assert "Sagen er lukket" in await phones[0].reply(mid)
    assert fac.act(fac_code, "end") == ""
    r = fac.http.post(f"/facilitator/sessions/{fac_code}/next-meeting")
    code = r.headers["location"].rsplit("/", 1)[-1]
    # The case-giver comes on another phone: nothing recognises it, the case waits.
    fresh = [Phone(server.url, f"M{n}") for n in range(3)]
    for phone in fresh:
        assert (await phone.join(code)).status_code == 303
    assert title not in fresh[0].page.text("phone-stage")
    assert fac.act(code, "start") == ""
    await fresh[0].until(lambda p: "Gruppe 1" in p.text("phone-header"), 10)
    control = fac.http.get(f"/facilitator/sessions/{code}").text
    assert (
        "1 åben sag fra sidste møde har ikke fundet sin case-giver" in control
        and title not in control
    )
    case_id = re.search(r'<option value="(\d+)">Åben sag 1', control)
    assert case_id
    assert fac.act(code, "give-follow-up", case=case_id.group(1), group="1") == ""
    await _in(fresh[0], "phone-groupcase", f"«{title}». Er det din?")
    mid = await fresh[0].send({"action": "claim", "gcase": case_id.group(1)})
    assert "Du er case-giver" in await fresh[0].reply(mid)
    await _in(fresh[0], "phone-groupcase", "Din sag fra sidste møde:")
    mid = await fresh[1].send({"action": "claim", "gcase": case_id.group(1)})
    assert "allerede en case-giver" in await fresh[1].reply(mid)
    assert fac.act(code, "phase", action="follow_up") == ""
    await _in(fresh[1], "phone-groupcase", "Deltager 1 følger op på sin sag")
    for phone in (*phones, *fresh):
        await phone.aclose()
