"""A whole session with a facilitator, a projector and twelve phones, through two cases."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter

import httpx

from app.domain import disclosure
from tests.utils.clients import Facilitator, Phone, Projector, arm_csrf
from tests.utils.server import LiveServer

CASES = ["kl-01-spareoevelsen", "kl-02-den-inhabile-udvalgsformand"]
ALIASES = [f"Alias{n}x" for n in range(12)]


async def join_all(server: LiveServer, code: str, aliases: list[str]) -> list[Phone]:
    phones = [Phone(server.url, alias) for alias in aliases]
    for phone in phones:
        r = await phone.join(code)
        assert r.status_code == 303, r.text
    return phones


def test_full_session_two_cases(server: LiveServer, facilitator: Facilitator) -> None:
    asyncio.run(_full_session(server, facilitator))


async def _full_session(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Chefforum, november", CASES, group_size=4)
    projector = Projector(server.url, code, fac.cookie())
    await projector.connect()
    await projector.shows("proj-stage", code)
    await projector.shows("proj-stage", "0 er med")
    assert "<svg" in projector.page.html("proj-stage"), "the join screen carries a QR code"

    phones = await join_all(server, code, ALIASES)
    await projector.shows("proj-stage", "12 er med")
    for phone in phones:
        await phone.shows("phone-stage", "Du er med")

    # Start: everybody lands in one of three groups of four.
    assert fac.act(code, "start") == ""
    for phone in phones:
        await phone.until(lambda p: "Gruppe" in p.text("phone-header"), what="a group")
        await phone.shows("phone-stage", "Spareøvelsen på skoleområdet")
    sizes = Counter(phone.group() for phone in phones)
    assert sorted(sizes.values()) == [4, 4, 4], sizes
    await projector.shows("proj-stage", "Spareøvelsen på skoleområdet")
    await projector.shows("progress", "3 grupper")

    # Voting before the vote phase is refused with a reason.
    await phones[0].send({"action": "vote", "case": "0", "option": "A"})
    await phones[0].shows("phone-flash", "Casen er skiftet")

    # Vote: all but one vote; the last drops off mid-vote and comes back.
    assert fac.act(code, "phase", action="next") == ""
    options = ["A", "B", "C", "A"] * 3
    for phone, option in zip(phones[:-1], options, strict=False):
        await phone.shows("phone-stage", "Hvad ville du gøre?")
        await phone.vote(option, reason=f"Begrundelse fra {phone.alias}")
    late = phones[-1]
    await late.close()
    await projector.shows("progress", "11 af 12 til stede har stemt")
    assert "Stemmefordeling" not in projector.page.text("proj-stage"), (
        "the split stays secret while voting"
    )
    await late.connect()
    await late.shows("phone-stage", "Hvad ville du gøre?")
    await late.vote(options[-1], reason=f"Begrundelse fra {late.alias}")
    await projector.shows("progress", "12 af 12 til stede har stemt")
    await late.vote("B")  # changing one's mind replaces the vote, it does not add one
    await projector.shows("progress", "12 af 12 til stede har stemt")
    options[-1] = "B"

    # Discuss: each phone sees its own group's reasons, never another group's.
    assert fac.act(code, "phase", action="next") == ""
    by_group: dict[str, list[Phone]] = {}
    for phone in phones:
        by_group.setdefault(phone.group(), []).append(phone)
    for phone in phones:
        await phone.until(lambda p, ph=phone: ph.phase() == "discuss", what="discuss")
        seen = phone.page.text("group-posts")
        for other in phones:
            mine = other.group() == phone.group()
            assert (f"Begrundelse fra {other.alias}" in seen) == mine, (phone.alias, other.alias)
    await phones[0].send({"action": "vote", "case": phones[0].case_id(), "option": "C"})
    await phones[0].shows("phone-flash", "Der kan ikke stemmes nu")

    # Group answer: co-writing with versions; a stale save is kept for merging, not lost.
    assert fac.act(code, "phase", action="next") == ""
    for label, members in by_group.items():
        first, second = members[0], members[1]
        await first.shows("phone-stage", "Gruppens begrundelse")
        await first.answer("B", f"Gruppe {label} mener B, fordi loven går forud.", base_version=0)
        await first.shows("answer-form", "Gruppens svar er gemt (version 1)")
        await second.shows("group-answer-current", f"Gruppe {label} mener B")
        await second.answer("C", "Et andet udkast", base_version=0)
        await second.shows("answer-form", "En anden i gruppen har gemt en nyere version")
        # The form is not replaced (the phone keeps its draft): its base moves to the saved version.
        assert 'name="base_version" value="1"' in second.page.html("answer-form")
        await second.answer(
            "B",
            f"Gruppe {label} mener B, fordi loven går forud. Tilføjet: tal med chefen.",
            base_version=1,
        )
        await first.shows("group-answer-current", "Tilføjet: tal med chefen")
    await projector.shows("progress", "3 af 3 grupper har svaret")

    # The server restarts between phases; every page resumes in the same phase.
    for page in [*phones, projector]:
        await page.close()
    server.restart()
    await projector.connect()
    await projector.until(lambda p: projector.phase() == "group_answer", what="projector resumes")
    for phone in phones:
        await phone.connect()
        await phone.until(lambda p, ph=phone: ph.phase() == "group_answer", what="phone resumes")
        assert "Tilføjet: tal med chefen" in phone.page.text("group-answer-current")

    # Reveal: the split of individual votes and every group's answer.
    assert fac.act(code, "phase", action="next") == ""
    expected = Counter(options)
    await projector.shows("proj-stage", "Stemmefordeling")
    shown = projector.page.text("proj-stage")
    for key in "ABCD":
        pct = round(100 * expected[key] / 12)
        assert f"{expected[key]} ({pct} %)" in shown, (key, shown)
    # Then the three groups' answers, two at a time.
    answers = ""
    for step in (1, 2):
        assert fac.act(code, "step", step=step) == ""
        current = f'aria-current="step">Gruppernes svar {step}/2'
        await projector.until(lambda p, c=current: c in p.html("proj-stage"), what=current)
        answers += projector.page.text("proj-stage")
        for alias in ALIASES:
            assert alias not in projector.page.html("proj-stage"), "no identity on the projector"
    assert answers.count("Tilføjet: tal med chefen") == 3
    await phones[3].shows("phone-stage", "Gruppernes svar")

    # Revote: four people change their minds; the shift appears when the case closes.
    assert fac.act(code, "phase", action="next") == ""
    for i, phone in enumerate(phones):
        await phone.shows("phone-stage", "Stem igen")
        await phone.vote("B" if i < 4 else options[i])
    await projector.shows("progress", "12 af 12 til stede har stemt")
    assert fac.act(code, "phase", action="next") == ""
    changed = sum(1 for i in range(4) if options[i] != "B")
    await projector.shows("proj-stage", f"{changed} af 12 skiftede holdning")

    # Case two: skip straight through, then end.
    assert fac.act(code, "next-case", mode="random") == ""
    await projector.shows("proj-stage", "Den inhabile udvalgsformand")
    for phone in phones:
        await phone.shows("phone-stage", "Den inhabile udvalgsformand")
    assert "når alle grupper har svaret" in fac.act(code, "phase", action="closed")  # the gate
    assert fac.act(code, "phase", action="closed", force="1") == ""  # skipping forward is allowed
    assert "Kan kun gå én fase tilbage" in fac.act(code, "phase", action="present")
    assert fac.act(code, "phase", action="back") == ""
    await projector.until(lambda p: projector.phase() == "revote", what="one phase back")
    assert fac.act(code, "end") == ""
    for phone in phones:
        await phone.shows("phone-stage", "Tak for i dag")
    await projector.shows("proj-stage", "Tak for i dag")

    summary = fac.http.get(f"/facilitator/sessions/{code}/summary.json")
    assert summary.status_code == 200
    data = json.loads(summary.text)
    first_case = data["cases"][0]
    assert first_case["title"] == "Spareøvelsen på skoleområdet"
    printed = disclosure.row([expected[k] for k in "ABCD"], 3) or ["x"] * 4  # the rule's own test:
    assert [o["before"] for o in first_case["options"]] == printed  # tests/domain/test_disclosure
    assert len(first_case["group_answers"]) == 3
    markdown = fac.http.get(f"/facilitator/sessions/{code}/summary.md").text
    for alias in ALIASES:
        assert alias not in summary.text and alias not in markdown
    assert re.search(r"\| A\. .* \| \d+ \| .* \|", markdown)

    for phone in phones:
        await phone.aclose()
    await projector.close()
    # An ended session can no longer be joined.
    async with httpx.AsyncClient(base_url=server.url) as http:
        await http.get("/")
        arm_csrf(http)
        r = await http.post("/join", data={"code": code})
        assert r.status_code == 400 and "afsluttet" in r.text
