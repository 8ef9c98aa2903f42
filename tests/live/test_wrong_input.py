"""Messages no page sends, from a real websocket client: binary frames, deep nesting, numbers
where text belongs, floods. Each is answered with a reason; nothing is acknowledged that was not
stored; every stored message is acknowledged."""

from __future__ import annotations

import asyncio
import re
import sqlite3

from tests.utils.clients import Facilitator, Phone
from tests.utils.server import LiveServer

CASES = ["kl-01-spareoevelsen"]


async def voting(server: LiveServer, fac: Facilitator, people: int = 3) -> tuple[str, list[Phone]]:
    code = fac.create_session("Forkerte typer", CASES)
    phones = [Phone(server.url, f"P{n}") for n in range(people)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="next") == ""
    for phone in phones:
        await phone.until(lambda _, p=phone: p.phase() == "vote", what="the vote")
    return code, phones


IN_SESSION = """SELECT count(*) FROM processedmessage m
    JOIN participant p ON p.id = m.participant_id JOIN session s ON s.id = p.session_id
    WHERE s.code = ?"""


def rows(server: LiveServer, sql: str, *args: object) -> list[tuple[object, ...]]:
    db = sqlite3.connect(server.data_dir / "sparring.db")
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def test_binary_frames_and_deep_nesting_are_refused_and_the_socket_stays(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def scenario() -> None:
        _, (phone, *_) = await voting(server, facilitator, 1)
        assert phone.ws is not None
        await phone.ws.send(b"\x00\x01binary")
        await phone.shows("phone-flash", "binære data")
        await phone.send("[" * 20_000 + "]" * 20_000)
        await phone.shows("phone-flash", "kunne ikke læses")
        await phone.send('{"action": ' + "[" * 20_000 + "]" * 20_000 + "}")
        await phone.shows("phone-flash", "kunne ikke læses")
        await phone.vote("A")  # still connected, still answered
        await phone.aclose()

    asyncio.run(scenario())
    log = (server.data_dir / "server.log").read_text()
    assert "Traceback" not in log and "RecursionError" not in log


def test_a_field_of_the_wrong_type_is_refused_and_nothing_is_stored(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def scenario() -> None:
        code, phones = await voting(server, facilitator, 3)
        phone = phones[0]
        case = phone.case_id()
        mid = await phone.send({"action": "vote", "case": case, "option": "A", "reason": 123})
        assert "Feltet »reason« skal være tekst" in await phone.reply(mid)
        votes = rows(server, "SELECT count(*) FROM vote WHERE session_case_id = ?", int(case))
        assert votes == [(0,)], "a refused message stores nothing"
        mid = await phone.send({"action": "vote", "case": int(case), "option": "A"})
        assert "Din stemme (A) er gemt" in await phone.reply(mid), "a numeric case id is fine"

        for other in phones[1:]:
            await other.vote("B")
        for _ in range(2):  # discussion, group answer
            assert facilitator.act(code, "phase", action="next") == ""
        await phone.until(lambda _: phone.phase() == "group_answer", what="group answer")
        mid = await phone.send(
            {"action": "answer", "case": case, "option": "A", "text": 123, "base_version": 0}
        )
        assert "Feltet »text« skal være tekst" in await phone.reply(mid)
        answers = rows(
            server,
            "SELECT count(*) FROM groupanswer WHERE version > 0 AND session_case_id = ?",
            int(case),
        )
        assert answers == [(0,)], "no empty answer saved as a new version"

        facilitator.act(code, "phase", action="next", force="1")  # reveal
        facilitator.act(code, "phase", action="next")  # revote
        await phone.until(lambda _: phone.phase() == "revote", what="the revote")
        mid = await phone.send({"action": "vote", "case": case, "option": "B", "difficulty": 3})
        assert "gemt" in await phone.reply(mid)
        stored = rows(
            server,
            "SELECT difficulty FROM vote WHERE session_case_id = ? AND round = 2",
            int(case),
        )
        assert stored == [(3,)], "a difficulty sent as a number is kept, not dropped"
        for each in phones:
            await each.aclose()

    asyncio.run(scenario())


def test_every_stored_message_is_acknowledged_under_a_flood(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def scenario() -> None:
        code, phones = await voting(server, facilitator, 4)
        phone, *others = phones
        case = phone.case_id()
        sent = []
        for n in range(90):  # under the rate limit; the room pushes tallies meanwhile
            sent.append(await phone.send({"action": "vote", "case": case, "option": "AB"[n % 2]}))
            if n % 10 == 0:
                await asyncio.gather(*(o.vote("AB"[n % 2]) for o in others))
        await phone.until(
            lambda _: set(sent) <= acked(phone), timeout=30, what="an answer to every message"
        )
        stored = rows(server, IN_SESSION, code)  # the server is shared: this room's only
        assert stored[0][0] >= len(sent)
        for each in phones:
            await each.aclose()

    asyncio.run(scenario())


def acked(phone: Phone) -> set[str]:
    return {m for push in phone.received for m in re.findall(r'data-msg="([0-9a-f]+)"', push)}
