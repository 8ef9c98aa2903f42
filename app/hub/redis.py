"""Hub on Redis pub/sub: every worker sees every session's events, so any worker serves any page.

One Redis subscription per session channel per process, shared by all of that process's pages;
events fan out locally through the same bounded queues as the in-process hub.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, RedisError, TimeoutError

from app.hub import Event
from app.hub.memory import RESYNC, MemoryHub, MemorySubscription

log = logging.getLogger(__name__)


class RedisHub:
    def __init__(self, url: str, prefix: str = "sparring") -> None:
        # Publishing: a Redis that restarted leaves closed connections in the pool, so a command
        # is tried again on a fresh one before it fails.
        self.redis = Redis.from_url(
            url,
            client_name=f"{prefix}-hub",
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=3),
            retry_on_error=[ConnectionError, TimeoutError],
            socket_connect_timeout=1,
        )
        # Listening: no silent retry here. A lost subscription must be noticed (`_read`), since
        # whatever was published meanwhile is gone and every page needs its whole view again.
        self.listener = Redis.from_url(url, health_check_interval=30, client_name=f"{prefix}-hub")
        self.pubsub = self.listener.pubsub(ignore_subscribe_messages=True)
        self.prefix = f"{prefix}:"
        self.local = MemoryHub()
        self.listeners: Counter[str] = Counter()
        self.lock = asyncio.Lock()  # SUBSCRIBE/UNSUBSCRIBE in the order the pages came and went
        self.reader: asyncio.Task[None] | None = None

    async def publish(self, channel: str, event: Event) -> None:
        """Tell every process. What was committed stays committed if Redis is down: every reader
        has then lost its subscription too, and when it is back each page renders its whole view
        again (`_read`), so the change still reaches every screen."""
        try:
            await self.redis.publish(self.prefix + channel, json.dumps(event))
        except RedisError as exc:
            log.warning(
                "event not published, Redis unreachable (%s); pages resync on its return", exc
            )

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[MemorySubscription]:
        async with self.local.subscribe(channel) as subscription:
            await self._listen(channel)
            try:
                yield subscription
            finally:
                await self._unlisten(channel)

    async def _listen(self, channel: str) -> None:
        async with self.lock:
            if self.listeners[channel] == 0:
                # Sent before the page renders its full view: nothing committed after that is missed.
                await self.pubsub.subscribe(self.prefix + channel)
            self.listeners[channel] += 1
            if self.reader is None:
                self.reader = asyncio.create_task(self._read())

    async def _unlisten(self, channel: str) -> None:
        async with self.lock:
            self.listeners[channel] -= 1
            if self.listeners[channel] == 0:
                del self.listeners[channel]
                with contextlib.suppress(RedisError):
                    await self.pubsub.unsubscribe(self.prefix + channel)

    async def _read(self) -> None:
        lost = False
        while True:
            try:
                message = await self.pubsub.get_message(timeout=1.0)
            except (RedisError, OSError) as exc:
                if not lost:
                    log.warning("Redis pub/sub lost (%s); retrying", exc)
                lost = True
                await asyncio.sleep(0.5)
                continue
            if lost:
                # Events may have passed while we were away: every page renders its whole view again.
                lost = False
                for channel in tuple(self.listeners):
                    await self.local.publish(channel, RESYNC)
            if message is not None and message["type"] == "message":
                channel = message["channel"].decode().removeprefix(self.prefix)
                await self.local.publish(channel, json.loads(message["data"]))

    async def aclose(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader
        await self.pubsub.aclose()
        await self.listener.aclose()
        await self.redis.aclose()
