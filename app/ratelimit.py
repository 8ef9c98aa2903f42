"""Sliding-window rate limits: per websocket connection, and per client for failed joins and
passwords. The per-client limits are shared by every replica when Redis is configured: three
replicas must not allow three times as many guesses."""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Protocol

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class RateLimit:
    """At most `limit` hits in any `window` seconds."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.times: deque[float] = deque()

    def full(self) -> bool:
        now = self.clock()
        while self.times and self.times[0] <= now - self.window:
            self.times.popleft()
        return len(self.times) >= self.limit

    def active(self) -> bool:
        self.full()  # forgets hits older than the window
        return bool(self.times)

    def hit(self) -> bool:
        """Count one hit if there is room; False when the limit is reached."""
        if self.full():
            return False
        self.times.append(self.clock())
        return True


class Limits(Protocol):
    """At most `limit` hits per key (a client address, perhaps with a username) in `window` s."""

    def full(self, key: str) -> bool: ...

    def hit(self, key: str) -> None: ...


class RateLimits:
    """One process's limits: one RateLimit per key; idle keys are dropped so memory stays bounded."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.keys: dict[str, RateLimit] = {}

    def get(self, key: str) -> RateLimit:
        if key not in self.keys and len(self.keys) >= 10_000:
            self.keys = {k: v for k, v in self.keys.items() if v.active()}
        return self.keys.setdefault(key, RateLimit(self.limit, self.window, self.clock))

    def full(self, key: str) -> bool:
        return self.get(key).full()

    def hit(self, key: str) -> None:
        self.get(key).hit()


class RedisLimits:
    """The same sliding window in Redis, one sorted set per key (the hits' times), so every
    replica counts the same hits. Redis unreachable: nobody is locked out (logged); people joining
    a room matter more than a minute of unlimited guessing while Redis restarts."""

    def __init__(
        self,
        url: str,
        name: str,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.name, self.limit, self.window, self.clock = name, limit, window, clock

    def _key(self, key: str) -> str:
        return f"{self.name}:{key}"

    def full(self, key: str) -> bool:
        now = self.clock()
        try:
            pipe = self.redis.pipeline()
            pipe.zremrangebyscore(self._key(key), 0, now - self.window)
            pipe.zcard(self._key(key))
            count = pipe.execute()[1]
        except RedisError:
            log.warning("rate limit %s not checked: Redis unreachable", self.name)
            return False
        return int(count) >= self.limit

    def hit(self, key: str) -> None:
        now = self.clock()
        try:
            pipe = self.redis.pipeline()
            pipe.zadd(self._key(key), {uuid.uuid4().hex: now})
            pipe.expire(self._key(key), int(self.window) + 1)
            pipe.execute()
        except RedisError:
            log.warning("rate limit %s not counted: Redis unreachable", self.name)


def limits(
    redis_url: str, prefix: str, name: str, limit: int, window: float, clock: Callable[[], float]
) -> Limits:
    """Shared by all replicas when Redis is configured, else this process's own."""
    if redis_url:
        return RedisLimits(redis_url, f"{prefix}:limit:{name}", limit, window, clock)
    return RateLimits(limit, window, clock)
