"""One contract for every Hub backend: in-process, and Redis pub/sub between two 'workers'.

For Redis the publisher and the subscriber are separate hubs (as two uvicorn processes would hold),
with a fresh channel prefix per test so parallel runs never hear each other.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.hub import Event, Hub, make_hub
from app.hub.memory import QUEUE_SIZE, RESYNC
from tests.utils.redis import REDIS_URL, redis_missing


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "redis" and (reason := redis_missing()):
        pytest.skip(reason)
    return str(request.param)


def run(backend: str, body: Callable[[Hub, Hub], Awaitable[None]]) -> None:
    async def main() -> None:
        if backend == "memory":
            hub = make_hub("", "")
            await body(hub, hub)
            return
        prefix = f"test-{secrets.token_hex(4)}"
        a, b = make_hub(REDIS_URL, prefix), make_hub(REDIS_URL, prefix)
        try:
            await body(a, b)
        finally:
            await a.aclose()
            await b.aclose()

    asyncio.run(main())


END: Event = {"type": "end"}


async def read(subscription: Any, done: Callable[[list[Event]], bool]) -> list[Event]:
    async def collect() -> list[Event]:
        got: list[Event] = []
        async for event in subscription:
            got.append(event)
            if done(got):
                break
        return got

    return await asyncio.wait_for(collect(), 5)


async def take(subscription: Any, n: int) -> list[Event]:
    return await read(subscription, lambda got: len(got) == n)


async def until_end(subscription: Any) -> list[Event]:
    return await read(subscription, lambda got: got[-1] == END)


def test_subscribers_get_their_channels_events_in_order(backend: str) -> None:
    run(backend, _subscribers_get_their_channels_events_in_order)


async def _subscribers_get_their_channels_events_in_order(publisher: Hub, pages: Hub) -> None:
    async with (
        pages.subscribe("session:1") as one,
        pages.subscribe("session:1") as two,
        pages.subscribe("session:2") as other,
    ):
        for n in range(20):
            await publisher.publish("session:1", {"type": "vote", "n": n})
        await publisher.publish("session:2", {"type": "phase"})
        expected = [{"type": "vote", "n": n} for n in range(20)]
        assert await take(one, 20) == expected
        assert await take(two, 20) == expected
        assert await take(other, 1) == [{"type": "phase"}]


def test_a_page_that_left_hears_nothing_and_the_rest_go_on(backend: str) -> None:
    run(backend, _a_page_that_left_hears_nothing_and_the_rest_go_on)


async def _a_page_that_left_hears_nothing_and_the_rest_go_on(publisher: Hub, pages: Hub) -> None:
    async with pages.subscribe("session:1") as stays:
        async with pages.subscribe("session:1") as leaves:
            await publisher.publish("session:1", {"type": "timer"})
            assert await take(leaves, 1) == [{"type": "timer"}]
        await publisher.publish("session:1", {"type": "phase"})
        assert await take(stays, 2) == [{"type": "timer"}, {"type": "phase"}]
    async with pages.subscribe("session:1") as again:  # the channel can be heard again later
        await publisher.publish("session:1", {"type": "groups"})
        assert await take(again, 1) == [{"type": "groups"}]


def test_a_page_that_falls_behind_gets_one_resync(backend: str) -> None:
    run(backend, _a_page_that_falls_behind_gets_one_resync)


async def _a_page_that_falls_behind_gets_one_resync(publisher: Hub, pages: Hub) -> None:
    async with pages.subscribe("session:1") as slow, pages.subscribe("session:1") as witness:
        for n in range(QUEUE_SIZE + 10):
            await publisher.publish("session:1", {"type": "vote", "n": n})
        await publisher.publish("session:1", END)
        await until_end(witness)  # everything has arrived, and `slow` has read nothing
        got = await until_end(slow)
        assert got[0] == RESYNC and len(got) < QUEUE_SIZE
