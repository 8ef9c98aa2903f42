"""A group's advice on its own case leaves the group only if the group never wrote it with fewer
members than the anonymity threshold, also when someone is moved in afterwards (issue 14's rule
for group answers, applied to own cases)."""

from __future__ import annotations

import asyncio

from tests.utils.clients import Facilitator, Phone
from tests.utils.server import LiveServer

SMALL_ADVICE = "Råd fra en lille gruppe: ring til juristen i morgen."
FULL_ADVICE = "Råd fra en hel gruppe: skriv det ned og send det videre."


def test_advice_written_by_a_small_group_stays_out_of_the_summary(
    server: LiveServer, facilitator: Facilitator
) -> None:
    asyncio.run(_small_group(server, facilitator))


async def _small_group(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Lille gruppe", [], 3, "kollegasparring", group_cases="1")
    phones = [Phone(server.url, f"Chef{n}") for n in range(6)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    assert fac.act(code, "start") == ""
    for phone in phones:
        await phone.until(lambda p: "Gruppe" in p.text("phone-header"), 10)
    teams: dict[str, list[Phone]] = {}
    for phone in phones:
        teams.setdefault(phone.group(), []).append(phone)
    (small_no, small), (full_no, full) = sorted(teams.items())
    assert len(small) == len(full) == 3
    for n, team in enumerate((small, full)):
        mid = await team[0].send({"action": "case", "title": f"Sag {n}", "text": "En sag " * 5})
        assert "Din sag er gemt" in await team[0].reply(mid)

    # One member of the first group moves away: it writes its advice with two members.
    mover = small[2]
    assert fac.act(code, "move", participant=mover.number(), group=full_no) == ""
    await mover.until(lambda _: mover.group() == full_no, 10)
    for _ in ("present", "clarify", "reflect", "group_answer"):
        assert fac.act(code, "phase", action="next") == ""
    for team, advice in ((small[:2], SMALL_ADVICE), (full, FULL_ADVICE)):
        writer = team[1]
        await writer.until(
            lambda p, w=writer: 'data-phase="group_answer"' in p.html("phone-stage"), 10
        )
        mid = await writer.send(
            {"action": "answer", "case": writer.case_id(), "text": advice, "base_version": 0}
        )
        await writer.reply(mid)
    # ... then it is moved back, and the advice is saved again by a group of three.
    assert fac.act(code, "move", participant=mover.number(), group=small_no) == ""
    await mover.until(lambda _: mover.group() == small_no, 10)
    mid = await small[1].send(
        {
            "action": "answer",
            "case": small[1].case_id(),
            "text": SMALL_ADVICE + " Og mere.",
            "base_version": 1,
        }
    )
    await small[1].reply(mid)

    assert fac.act(code, "phase", action="next") == ""  # takeaway
    for giver in (small[0], full[0]):
        await giver.until(lambda p: 'data-phase="takeaway"' in p.html("phone-stage"), 10)
        mid = await giver.send({"action": "close", "share": "advice"})
        assert "Sagen er lukket" in await giver.reply(mid)
    assert fac.act(code, "end") == ""
    data = fac.http.get(f"/facilitator/sessions/{code}/summary.json").json()
    advice = [c["advice"] for c in data["shared_cases"]]
    assert advice == [FULL_ADVICE], advice
    for phone in phones:
        await phone.aclose()
