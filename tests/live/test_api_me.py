"""GET /api/me, the phone's view as data (what `sparring simulate`'s bots read), in a room of
two groups mid-case: each phone gets its own group, its own vote and its own group's answer."""

from __future__ import annotations

import asyncio

from tests.utils.clients import Facilitator, Phone
from tests.utils.server import LiveServer


def test_each_phone_reads_its_own_group_vote_and_answer(
    server: LiveServer, facilitator: Facilitator
) -> None:
    code = facilitator.create_session("API", ["kl-17-ai-som-arbejdsredskab"], group_size=3)
    asyncio.run(_room(server, facilitator, code))


async def _room(server: LiveServer, fac: Facilitator, code: str) -> None:
    phones = [Phone(server.url, f"P{n}") for n in range(6)]
    for phone in phones:
        await phone.join(code)
    try:
        fac.act(code, "start")
        fac.act(code, "phase", action="vote")
        for phone in phones:
            await phone.until(lambda p: 'data-phase="vote"' in p.html("phone-stage"), what="vote")
        options = ["A", "B", "C", "A", "B"]  # the last phone does not vote
        for phone, option in zip(phones, options, strict=False):
            await phone.vote(option, "fordi")
        for n, phone in enumerate(phones):
            me = (await phone.http.get("/api/me")).json()
            assert me["participant"] == phone.number() and str(me["group"]) == phone.group()
            assert me["phase"] == "vote" and me["vote_round"] == 1 and me["options"]
            assert me["my_vote"] == (options[n] if n < len(options) else None), (n, me)
        fac.act(code, "phase", action="group_answer")
        writer = phones[0]
        await writer.until(lambda p: "answer-form" in p.html("phone-stage"), what="answer form")
        await writer.answer("A", "Vi siger det til direktøren.", 0)
        await writer.until(lambda p: "version 1" in p.text("phone-flash"), what="answer saved")
        for n, phone in enumerate(phones):
            me = (await phone.http.get("/api/me")).json()
            assert me["phase"] == "group_answer" and str(me["group"]) == phone.group()
            same_group = phone.group() == writer.group()
            assert me["answer_version"] == (1 if same_group else 0), (n, me)
    finally:
        for phone in phones:
            await phone.aclose()
