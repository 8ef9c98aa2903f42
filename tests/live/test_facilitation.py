"""Facilitation over live sockets: areas and grouping modes, group names, the reveal gate, duties."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

from tests.utils.clients import Control, Facilitator, Phone, Projector
from tests.utils.fragments import text
from tests.utils.server import LiveServer

CASE = ["kl-08-gavemodtagelse"]
AREAS = ["Børn og unge", "Teknik og miljø"]


async def joined(server: LiveServer, code: str, count: int) -> list[Phone]:
    phones = [Phone(server.url) for _ in range(count)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
        await phone.shows("phone-stage", "Du er med")
    return phones


def groups_on_panel(fac: Facilitator, code: str) -> dict[str, list[int]]:
    """{'Gruppe 1 · Fanø': [participant numbers]} as the control page lists them."""
    html = fac.http.get(f"/facilitator/sessions/{code}").text
    panel = html[html.index('id="ctl-groups"') :]
    out: dict[str, list[int]] = {}
    for item in re.findall(r"<li><b>(Gruppe \d+ · [^<]+)</b>(.*?)</li>", panel, re.S):
        out[item[0]] = [int(n) for n in re.findall(r"D(\d+)", text(item[1]))]
    return out


def test_areas_at_join_then_mixed_and_disagreeing_groups(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def run() -> None:
        code = facilitator.create_session("Sammensætning", CASE, areas="\n".join(AREAS))
        phones = await joined(server, code, 8)
        await phones[0].send({"action": "area", "area": "Økonomi"})
        await phones[0].shows("phone-flash", "Vælg et af områderne på listen")
        area_of: dict[int, str] = {}
        for i, phone in enumerate(phones):
            area = AREAS[0] if i < 3 else AREAS[1]  # uneven: 3 and 5
            await phone.send({"action": "area", "area": area})
            await phone.shows("area-form", f"Område: {area}")
            area_of[phone.number()] = area

        assert facilitator.act(code, "start") == ""
        for phone in phones:
            await phone.until(
                lambda p: bool(re.search(r"(Fanø|Læsø) Gruppe [12]", p.text("phone-header"))),
                what="a named group",
            )

        assert "kræver, at der er stemt" in facilitator.act(code, "regroup", mode="disagree")
        assert facilitator.act(code, "regroup", mode="mix_areas") == ""
        groups = groups_on_panel(facilitator, code)
        assert set(groups) == {"Gruppe 1 · Fanø", "Gruppe 2 · Læsø"}
        for members in groups.values():
            counts = Counter(area_of[n] for n in members)
            assert len(members) == 4 and counts[AREAS[0]] in (1, 2), counts

        assert facilitator.act(code, "phase", action="vote") == ""
        vote_of: dict[int, str] = {}
        for i, phone in enumerate(phones):
            await phone.shows("phone-stage", "Hvad ville du gøre?")
            option = "A" if i % 4 == 0 else "B"  # two A, six B
            await phone.vote(option)
            vote_of[phone.number()] = option
        assert facilitator.act(code, "regroup", mode="disagree") == ""
        groups = groups_on_panel(facilitator, code)
        for members in groups.values():
            assert Counter(vote_of[n] for n in members) == {"A": 1, "B": 3}, groups
        for phone in phones:
            await phone.aclose()

    asyncio.run(run())


def test_the_reveal_waits_for_every_group_and_shows_no_answers_before(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def run() -> None:
        code = facilitator.create_session("Porten", CASE, group_size=3, results="projector")
        projector = Projector(server.url, code, facilitator.cookie())
        await projector.connect()
        phones = await joined(server, code, 6)
        assert facilitator.act(code, "start") == ""
        assert facilitator.act(code, "phase", action="vote") == ""
        for phone in phones:
            await phone.shows("phone-stage", "Hvad ville du gøre?")
            await phone.send(
                {"action": "vote", "case": phone.case_id(), "option": "B", "duty": "sandhed"}
            )
            await phone.shows("vote-form", "Din stemme (B) er gemt")
        await phones[0].send(
            {"action": "vote", "case": phones[0].case_id(), "option": "A", "duty": "mod"}
        )
        await phones[0].shows("phone-flash", "Vælg en af de syv pligter")

        assert facilitator.act(code, "phase", action="group_answer") == ""
        by_group: dict[str, list[Phone]] = {}
        for phone in phones:
            await phone.shows("phone-stage", "Gruppens begrundelse")
            by_group.setdefault(phone.group(), []).append(phone)
        first, second = (members[0] for members in by_group.values())
        await first.send(
            {
                "action": "answer",
                "case": first.case_id(),
                "option": "B",
                "text": "Hemmeligt indtil afsløringen",
                "base_version": 0,
                "duty": "lovlighed",
            }
        )
        await first.shows("answer-form", "version 1")
        await projector.shows("progress", "1 af 2 grupper har svaret")
        assert "Alle grupper har svaret" not in projector.page.text("progress")
        assert "Hemmeligt" not in projector.page.html("proj-stage")
        assert "Stemmefordeling" not in projector.page.text("proj-stage")

        refused = facilitator.act(code, "phase", action="next")
        assert "1 af 2 har" in refused and "Vis resultat alligevel" in refused
        await second.answer("C", "Vi er uenige med de andre", base_version=0)
        await projector.shows("progress", "Alle grupper har svaret")
        assert "✓" in projector.page.text("progress")

        assert facilitator.act(code, "phase", action="next") == ""
        # The wall shows the result in parts: the split, the answers, the perspective with the duties.
        await projector.shows("proj-stage", "6 (100 %)")
        assert facilitator.act(code, "step", step=1) == ""
        await projector.shows("proj-stage", "Hemmeligt indtil afsløringen")
        assert facilitator.act(code, "step", step=2) == ""
        await projector.shows("proj-stage", "Den pligt, der vejer tungest")
        split = projector.page.text("proj-stage")
        assert "Sandhed 6 0" in split and "Lovlighed 0 1" in split, split
        for phone in phones:
            await phone.shows("phone-stage", "Resultatet vises på skærmen")
            assert "Hemmeligt" not in phone.page.html("phone-stage")

        assert facilitator.act(code, "phase", action="next") == ""
        await phones[1].shows("phone-stage", "Hvor svært var dilemmaet?")
        await phones[1].send(
            {"action": "vote", "case": phones[1].case_id(), "option": "C", "difficulty": "4"}
        )
        await phones[1].shows("vote-form", "Din stemme (C) er gemt")
        assert 'value="4" checked' in phones[1].page.html("vote-form")
        await phones[1].send(
            {"action": "vote", "case": phones[1].case_id(), "option": "C", "difficulty": "9"}
        )
        await phones[1].shows("phone-flash", "Hvor svært: vælg 1-5")
        for phone in [*phones, projector]:
            await phone.close()

    asyncio.run(run())


def test_the_reveal_opens_when_the_timer_has_run_out(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def run() -> None:
        code = facilitator.create_session("Tiden", CASE, group_size=3)
        phones = await joined(server, code, 3)
        control = Control(server.url, code, facilitator)
        projector = Projector(server.url, code, facilitator.cookie())
        for page in (control, projector):
            await page.connect()
        assert facilitator.act(code, "start") == ""
        assert facilitator.act(code, "phase", action="group_answer") == ""
        await control.shows("ctl-status", "Vis resultat alligevel")
        assert "0 af 1 har" in facilitator.act(code, "phase", action="reveal")
        assert facilitator.act(code, "timer", seconds="1") == ""
        # Nobody presses anything: the server tells both screens when the time is up.
        await control.until(
            lambda p: (
                "Vis resultat alligevel" not in p.text("ctl-status")
                and "Vis resultat →" in p.text("ctl-status")
            ),
            what="the gate open on the control page",
        )
        await projector.shows("progress", "Tiden er gået")
        assert facilitator.act(code, "phase", action="reveal") == ""
        await phones[0].shows("phone-stage", "Stemmefordeling")  # phones may see it here
        for phone in phones:
            await phone.aclose()
        for page in (control, projector):
            await page.close()

    asyncio.run(run())
