"""Redis-only behaviour: a dropped pub/sub connection comes back, and pages are told to resync."""

from __future__ import annotations

import asyncio
import secrets

import pytest
import redis

from app.hub.memory import RESYNC
from app.hub.redis import RedisHub
from tests.hub.test_contract import take
from tests.utils.redis import REDIS_URL, redis_missing

pytestmark = pytest.mark.skipif(bool(redis_missing()), reason=redis_missing() or "Redis is here")


def test_a_dropped_connection_resubscribes_and_pages_resync() -> None:
    asyncio.run(_dropped_connection())


async def _dropped_connection() -> None:
    prefix = f"test-{secrets.token_hex(4)}"
    publisher, pages = RedisHub(REDIS_URL, prefix), RedisHub(REDIS_URL, prefix)
    try:
        async with pages.subscribe("session:1") as page:
            await publisher.publish("session:1", {"type": "phase"})
            assert await take(page, 1) == [{"type": "phase"}]

            admin = redis.Redis.from_url(REDIS_URL)
            ours = [c for c in admin.client_list(_type="pubsub") if c["name"] == f"{prefix}-hub"]
            assert len(ours) == 1
            admin.client_kill_filter(_id=ours[0]["id"])
            admin.close()

            # Whatever was published while it was away is covered by one full refresh.
            assert await take(page, 1) == [RESYNC]
            await publisher.publish("session:1", {"type": "timer"})
            assert await take(page, 1) == [{"type": "timer"}]
    finally:
        await publisher.aclose()
        await pages.aclose()
