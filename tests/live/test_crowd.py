"""A room full of phones arriving at once: everyone gets in, the projector counts them all."""

from __future__ import annotations

import asyncio

import httpx

from tests.utils.clients import Facilitator, Projector, arm_csrf
from tests.utils.server import LiveServer

CROWD = 40  # more than the pool's base size; each join holds the write lock only briefly


def test_a_crowd_joining_at_once_all_get_in(server: LiveServer, facilitator: Facilitator) -> None:
    asyncio.run(_crowd(server, facilitator))


async def _crowd(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Stormløb", ["kl-01-spareoevelsen"])
    projector = Projector(server.url, code, fac.cookie())
    await projector.connect()
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        await http.get("/")
        arm_csrf(http)
        replies = await asyncio.gather(
            *(http.post("/join", data={"code": code}) for _ in range(CROWD))
        )
    assert [r.status_code for r in replies] == [303] * CROWD
    await projector.shows("proj-stage", f"{CROWD} er med")
    await projector.close()
