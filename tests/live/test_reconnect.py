"""Phones behind a bad network (delay, black hole, reset) catch up with the projector within 5 s."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable

from websockets.exceptions import WebSocketException

from tests.utils.clients import Facilitator, LivePage, Phone, Projector
from tests.utils.netfault import FaultyNetwork
from tests.utils.server import LiveServer

CASES = ["kl-01-spareoevelsen"]
CONVERGE = 5.0  # seconds from the network's return


class RoamingPhone:
    """A phone page as sparring.js keeps it: a lost socket is reopened with backoff (300 ms
    doubling to 4 s, with jitter), and every (re)connect brings the whole view."""

    def __init__(self, phone: Phone) -> None:
        self.phone = phone
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        retry = 0
        while True:
            try:
                await self.phone.connect()
                assert self.phone.ws is not None
                retry = 0
                async for message in self.phone.ws:
                    self.phone.page.apply(str(message))
            except (WebSocketException, OSError, TimeoutError, EOFError):
                pass
            await asyncio.sleep(min(4.0, 0.3 * 2**retry) * random.uniform(0.5, 1.0))
            retry += 1


async def eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.02)


def test_phones_converge_after_delay_black_hole_and_reset(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def scenario() -> None:
        net = FaultyNetwork(server.port)
        await net.start()
        code = facilitator.create_session("Dårligt net", CASES)
        phones = [Phone(net.url) for _ in range(6)]
        for phone in phones:
            assert (await phone.join(code)).status_code == 303
        projector = Projector(server.url, code, facilitator.cookie())  # wired, never faulty
        await projector.connect()

        async def press(action: str) -> None:
            # Forced: the groups here never answer, and the reveal gate is not what this test is about.
            reply = await asyncio.to_thread(
                facilitator.act, code, "phase", action=action, force="1"
            )
            assert reply == ""

        assert await asyncio.to_thread(facilitator.act, code, "start") == ""
        await press("next")
        for i, phone in enumerate(phones):
            await phone.until(lambda p, ph=phone: ph.phase() == "vote", what="vote")
            await phone.vote("ABCD"[i % 3])
            await phone.close()
        roaming = [RoamingPhone(phone) for phone in phones]
        for r in roaming:
            r.task = asyncio.create_task(r.run())

        def split(page: LivePage) -> list[str]:
            # The wall shows the result in parts, the phones all of it: the same counts, though.
            return re.findall(r'class="bar-count">([^<]*)<', page.page.html("results"))

        def converged() -> bool:
            return all(
                p.phase() == projector.phase() and split(p) == split(projector) for p in phones
            )

        # Slow network: 300 ms each way.
        net.delay = 0.3
        await press("next")
        await projector.until(lambda p: projector.phase() == "discuss", what="discuss")
        await eventually(converged, CONVERGE + 1, "phones in discuss over a slow network")
        net.delay = 0.0

        # Network lost (every connection reset) while the room moves on to the reveal.
        net.reset()
        await press("next")
        await press("next")
        await projector.until(lambda p: "Stemmefordeling" in p.text("proj-stage"), what="reveal")
        assert not converged()
        net.restore()
        await eventually(converged, CONVERGE, "phones show the reveal and the same split")
        assert "Stemmefordeling" in phones[0].page.text("results")

        # Network silent (a black hole that heals) while the revote opens.
        net.drop()
        await press("next")
        await projector.until(lambda p: projector.phase() == "revote", what="revote")
        net.restore()
        await eventually(converged, CONVERGE, "phones in the revote")

        for r in roaming:
            assert r.task is not None
            r.task.cancel()
        await asyncio.gather(*(r.task for r in roaming if r.task), return_exceptions=True)
        for phone in phones:
            await phone.aclose()
        await projector.close()
        await net.stop()

    asyncio.run(scenario())
