"""A group answer written while the group was below the threshold stays out of the summary, also when
people are moved in before it is saved again; at the reveal only the facilitator sees it."""

from __future__ import annotations

import asyncio
import json

from tests.utils.clients import Facilitator, Phone, Projector
from tests.utils.server import LiveServer

PAIR = "Parret skrev dette om sagen"
BIG = "Den store gruppe skrev dette"


def test_a_text_begun_by_two_stays_out_when_a_third_joins(
    server: LiveServer, facilitator: Facilitator
) -> None:
    code, projector_text, phone_text, control = asyncio.run(_room(server, facilitator))
    for seen in (projector_text, phone_text):
        assert BIG in seen and PAIR not in seen
        assert "Svaret vises kun for facilitatoren" in seen
    assert f"{PAIR} også" in control, "the facilitator sees every answer"
    summary = json.loads(facilitator.http.get(f"/facilitator/sessions/{code}/summary.json").text)
    texts = [a["reasoning"] for a in summary["cases"][0]["group_answers"]]
    assert texts == [BIG]


async def _room(server: LiveServer, fac: Facilitator) -> tuple[str, str, str, str]:
    code = fac.create_session("Små grupper", ["kl-01-spareoevelsen"], 3, results="phones")
    phones = [Phone(server.url) for _ in range(6)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="next") == ""
    for phone in phones:
        await phone.until(lambda p, ph=phone: ph.phase() == "vote", what="the vote")
        await phone.vote("A")
    assert fac.act(code, "phase", action="skip") == ""  # vote -> past discuss -> group answer
    groups: dict[str, list[Phone]] = {}
    for phone in phones:
        await phone.until(lambda p, ph=phone: ph.phase() == "group_answer", what="group answer")
        groups.setdefault(phone.group(), []).append(phone)
    (small, pair), (big, crowd) = sorted(groups.items())
    mover, writer = pair[0], pair[1]
    await _move(fac, code, mover, big)  # the first group is now two
    await writer.answer("A", PAIR, 0)
    await writer.shows("answer-form", "Gruppens svar er gemt")
    await _move(fac, code, mover, small)  # three again, and the answer saved once more
    await writer.until(lambda p: "Deltager" in writer.page.text("phone-header"), what="moved")
    await writer.answer("A", f"{PAIR} også", 1)
    await writer.shows("group-answer-current", f"{PAIR} også")
    await crowd[0].answer("B", BIG, 0)
    await crowd[0].shows("answer-form", "Gruppens svar er gemt")
    assert fac.act(code, "phase", action="next") == ""  # every group answered: the reveal
    projector = Projector(server.url, code, fac.cookie())
    await projector.connect()
    assert fac.act(code, "step", step=1) == ""  # the wall shows the groups' answers after the split
    await projector.shows("proj-stage", "Svaret vises kun for facilitatoren")
    await crowd[1].until(lambda p: crowd[1].phase() == "reveal", what="the reveal")
    await crowd[1].shows("phone-stage", "Svaret vises kun for facilitatoren")
    control = fac.http.get(f"/facilitator/sessions/{code}").text
    seen = projector.page.text("proj-stage"), crowd[1].page.text("phone-stage")
    assert fac.act(code, "end") == ""
    for page in [*phones, projector]:
        await page.close()
    return code, seen[0], seen[1], control


async def _move(fac: Facilitator, code: str, phone: Phone, group: str) -> None:
    assert fac.act(code, "move", participant=phone.number(), group=group) == ""
    await phone.until(lambda p: phone.group() == group, what=f"moved to group {group}")
