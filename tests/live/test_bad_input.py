"""Bad input on the websockets of a real server: foreign origins, huge messages, floods, revoked people."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.utils.clients import Facilitator, Phone
from tests.utils.server import LiveServer

CASES = ["kl-01-spareoevelsen"]


async def joined(server: LiveServer, fac: Facilitator) -> tuple[str, Phone]:
    code = fac.create_session("Angreb", CASES)
    phone = Phone(server.url)
    assert (await phone.join(code)).status_code == 303
    await phone.shows("phone-stage", "Du er med")
    return code, phone


async def close_code(url: str, cookie: str, origin: str | None) -> int | None:
    """The close code the server answers a fresh socket with (None: it stays open)."""
    headers = {"Cookie": cookie} if cookie else {}
    async with connect(url, additional_headers=headers, origin=origin) as ws:
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except ConnectionClosed:
            assert ws.close_code is not None
            return ws.close_code
        return None


def test_origin_is_checked_before_anything_is_sent(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def scenario() -> None:
        code, phone = await joined(server, facilitator)
        ws = server.url.replace("http", "ws", 1)
        for url, cookie in [
            (f"{ws}/ws/p", phone.cookie),
            (f"{ws}/ws/projector/{code}", facilitator.cookie()),
            (f"{ws}/ws/facilitator/{code}", facilitator.cookie()),
        ]:
            assert await close_code(url, cookie, "http://evil.example") == 1008
            assert await close_code(url, cookie, server.url) is None  # its own pages are fine
        await phone.aclose()

    asyncio.run(scenario())


def test_no_compression_and_no_big_messages(server: LiveServer, facilitator: Facilitator) -> None:
    async def scenario() -> None:
        _, phone = await joined(server, facilitator)
        assert phone.ws is not None
        assert "Sec-WebSocket-Extensions" not in phone.ws.response.headers, "deflate was offered"
        # Up to 64 KB is read and answered (here: refused for the reason's length) ...
        assert await phone.reply(await phone.send({"action": "reason", "reason": "x" * 60_000}))
        # ... past it the phone is told, and the socket stays open ...
        await phone.send({"action": "reason", "reason": "x" * 70_000})
        await phone.shows("phone-flash", "Beskeden er for stor")
        # ... and a message far past it closes the socket before the server reads it all.
        with pytest.raises(ConnectionClosed) as closed:
            await phone.send({"action": "reason", "reason": "x" * 2_000_000})
            await phone.until(lambda p: False, timeout=5, what="a close")
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        await phone.aclose()

    asyncio.run(scenario())


def test_flooding_phone_is_slowed_with_a_message(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def scenario() -> None:
        _, phone = await joined(server, facilitator)
        for _ in range(100):
            await phone.send("not json")
        await phone.shows("phone-flash", "kunne ikke læses")
        await phone.send({"action": "vote", "option": "A"})
        await phone.shows("phone-flash", "Du sender for mange beskeder")
        await phone.aclose()

    asyncio.run(scenario())


def test_permission_is_checked_on_every_message(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def scenario() -> None:
        _, phone = await joined(server, facilitator)
        token_gone = sqlite3.connect(server.data_dir / "sparring.db")
        with token_gone:
            token_gone.execute(
                "DELETE FROM participant WHERE session_id = (SELECT max(id) FROM session)"
            )
        token_gone.close()
        await phone.send({"action": "vote", "option": "A"})
        with pytest.raises(ConnectionClosed) as closed:
            await phone.until(lambda p: False, timeout=5, what="a close")
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        await phone.aclose()

    asyncio.run(scenario())
