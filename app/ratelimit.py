"""Sliding-window rate limits: per websocket connection, and per client for join attempts."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimit:
    """At most `limit` events in any `window` seconds."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.times: deque[float] = deque()

    def allow(self) -> bool:
        now = self.clock()
        while self.times and self.times[0] <= now - self.window:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return False
        self.times.append(now)
        return True

    def idle(self) -> bool:
        return not self.times or self.times[-1] <= self.clock() - self.window


class RateLimits:
    """One RateLimit per key (a client address); idle keys are forgotten so memory stays small."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.keys: dict[str, RateLimit] = {}

    def allow(self, key: str) -> bool:
        if len(self.keys) > 10_000:
            self.keys = {k: v for k, v in self.keys.items() if not v.idle()}
        limit = self.keys.setdefault(key, RateLimit(self.limit, self.window, self.clock))
        return limit.allow()
