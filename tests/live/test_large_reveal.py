"""A reveal above PHONE_ANSWERS_MAX groups: each phone gets the split and its own group's answer
(masked as everywhere), not every group's, so the push does not grow with the room; every group's
answer is a page of its own (/p/svar), paged, masked, for this session's phones only, only while
the phones show the results."""

from __future__ import annotations

import asyncio
import re

from app.domain import visibility
from tests.utils.clients import Facilitator, Phone
from tests.utils.fragments import text
from tests.utils.server import LiveServer

CASE = ["kl-01-spareoevelsen"]
PHONES = 80  # 26 groups of three or four: two pages of answers
UNANSWERED = range(20, 26)  # group numbers that write nothing
SMALL = 3  # this group is two when it writes: its answer shows only to the facilitator
HIDDEN = 5  # this group's answer is hidden by the facilitator after the reveal
MASKED = "Svaret vises kun for facilitatoren"
HIDDEN_NOTE = "Svaret er skjult af facilitatoren"
FILLER = "Vi ville tale med direktøren først og skrive det hele ned bagefter. " * 18


def answer_of(group: int) -> str:
    """A group's answer, long like a real one (about 1,200 characters) and findable by its mark."""
    return f"Svar-{group:02d}-mærke. {FILLER}"


def reveal_push(phone: Phone) -> str:
    """What the phone was sent from the reveal's push on (a group answer's own pushes, coalesced,
    may still arrive after the button is pressed)."""
    start = next(i for i, m in enumerate(phone.received) if 'data-phase="reveal"' in m)
    return "".join(phone.received[start:])


def test_a_large_rooms_reveal_sends_each_phone_its_own_groups_answer(
    server: LiveServer, facilitator: Facilitator
) -> None:
    asyncio.run(_large_room(server, facilitator))


async def _large_room(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Stort rum", CASE, 3, results="phones")
    phones = [Phone(server.url) for _ in range(PHONES)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    try:
        groups = await _to_group_answer(fac, code, phones)
        assert len(groups) > visibility.PHONE_ANSWERS_MAX and len(groups) > 25
        reader = groups[1][0]
        refused = await reader.http.get("/p/svar")
        assert refused.status_code == 404
        assert "Gruppernes svar kan ses her, når resultatet vises." in text(refused.text)

        await _move(fac, code, groups[SMALL].pop(), groups[SMALL + 1])  # group 3 is two
        for number, members in sorted(groups.items()):
            if number not in UNANSWERED:
                await members[0].answer("A", answer_of(number), 0)
                await members[0].shows("answer-form", "Gruppens svar er gemt")
        rejoiner = groups[1][1]
        await rejoiner.close()  # its page is shut during the reveal

        assert fac.act(code, "phase", action="reveal", force="1") == ""
        await reader.until(lambda p: reader.phase() == "reveal", what="the reveal")
        await reader.shows("own-answer", "Svar-01-mærke")
        push = reveal_push(reader)
        others = [answer_of(n) for n in groups if n != 1 and n not in UNANSWERED]
        assert not any(mark in push for mark in ("Svar-02-", "Svar-04-", "Svar-26-"))
        # Without the rule this push held every answer: 19 more of 1,200 characters each.
        assert len(push.encode()) < sum(len(a.encode()) for a in others) / 2, len(push)
        assert "Se alle gruppers svar (26)" in reader.page.text("phone-stage")
        assert "Stemmefordeling" in reader.page.text("phone-stage"), "the split, as before"

        small = groups[SMALL][0]
        await small.until(lambda p: small.phase() == "reveal", what="the reveal")
        assert MASKED in small.page.text("own-answer")
        assert "Svar-03-" not in reveal_push(small)

        # Hidden after the reveal: that group's phones redraw, no other phone hears of it.
        bystander = groups[2][0]
        await bystander.until(lambda p: bystander.phase() == "reveal", what="the reveal")
        heard = len(bystander.received)
        _hide(fac, code, answer_of(HIDDEN))
        for member in groups[HIDDEN]:
            await member.shows("own-answer", HIDDEN_NOTE)
            assert "Svar-05-" not in member.page.html("own-answer")
        try:
            await asyncio.wait_for(bystander.ws.recv(), 0.5)  # type: ignore[union-attr]
            raise AssertionError("a phone of another group was sent the hidden answer's change")
        except TimeoutError:
            assert len(bystander.received) == heard

        # The rejoiner comes back by the QR link: the same place, its own group's answer.
        again = await rejoiner.http.get(f"/j/{code}")
        assert again.status_code == 303 and again.headers["location"] == "/p"
        await rejoiner.connect()
        await rejoiner.shows("own-answer", "Svar-01-mærke")
        assert "Svar-02-" not in rejoiner.page.html("phone-stage")

        await _all_answers_page(reader, groups)
        await _another_sessions_phone(server, fac)
    finally:
        assert fac.act(code, "end") == ""
        for phone in phones:
            await phone.aclose()


async def _all_answers_page(reader: Phone, groups: dict[int, list[Phone]]) -> None:
    first = await reader.http.get("/p/svar")
    assert first.status_code == 200
    page = text(first.text)
    for number in range(1, 20):
        if number in (SMALL, HIDDEN):
            assert f"Svar-{number:02d}-" not in page
        else:
            assert f"Svar-{number:02d}-mærke" in page
    assert MASKED in page and HIDDEN_NOTE in page and "Intet svar" in page
    assert "Side 1 af 2" in page and "Svar-26-" not in page
    assert 'href="/p"' in first.text, "a way back to the phone page"
    second = await reader.http.get("/p/svar?side=2")
    assert second.status_code == 200
    assert "Svar-26-mærke" in text(second.text) and "Side 2 af 2" in text(second.text)
    assert "Svar-01-" not in second.text
    odd = await reader.http.get("/p/svar?side=zwei")
    assert odd.status_code == 200 and "Side 1 af 2" in text(odd.text)


async def _another_sessions_phone(server: LiveServer, fac: Facilitator) -> None:
    """A phone of another session (results on the wall only) reads nothing of this one."""
    code = fac.create_session("Andet rum", CASE, 3, results="projector")
    phones = [Phone(server.url) for _ in range(3)]
    for phone in phones:
        assert (await phone.join(code, connect=False)).status_code == 303
    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="reveal", force="1") == ""
    page = await phones[0].http.get("/p/svar")
    assert page.status_code == 404
    assert "Resultatet vises på skærmen." in text(page.text) and "Svar-" not in page.text
    assert fac.act(code, "end") == ""
    for phone in phones:
        await phone.aclose()


async def _to_group_answer(
    fac: Facilitator, code: str, phones: list[Phone]
) -> dict[int, list[Phone]]:
    """Start, let a few vote, skip to the group answer: the phones by group number."""
    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="next") == ""
    for i, phone in enumerate(phones[:12]):
        await phone.until(lambda p, ph=phone: ph.phase() == "vote", what="the vote")
        await phone.vote("AB"[i % 2])
    assert fac.act(code, "phase", action="skip") == ""
    groups: dict[int, list[Phone]] = {}
    for phone in phones:
        await phone.until(lambda p, ph=phone: ph.phase() == "group_answer", what="group answer")
        groups.setdefault(int(phone.group()), []).append(phone)
    return groups


async def _move(fac: Facilitator, code: str, phone: Phone, into: list[Phone]) -> None:
    group = into[0].group()
    assert fac.act(code, "move", participant=phone.number(), group=group) == ""
    await phone.until(lambda p: phone.group() == group, what=f"moved to group {group}")
    into.append(phone)


def _hide(fac: Facilitator, code: str, answer: str) -> None:
    """Hide a group's answer as its button in the control page's list of texts does."""
    page = fac.http.get(f"/facilitator/sessions/{code}").text
    mark = re.escape(answer.split(".")[0])
    found = re.search(rf'<p>{mark}[^<]*</p>\s*<button[^>]*"kind": "answer", "id": "(\d+)"', page)
    assert found
    assert fac.act(code, "hide", kind="answer", id=found.group(1), hidden="1") == ""
