"""Sliding-window rate limits: per websocket connection, and per client for failed joins."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


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


class RateLimits:
    """One RateLimit per key (a client address); idle keys are dropped so memory stays bounded."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.keys: dict[str, RateLimit] = {}

    def get(self, key: str) -> RateLimit:
        if key not in self.keys and len(self.keys) >= 10_000:
            self.keys = {k: v for k, v in self.keys.items() if v.active()}
        return self.keys.setdefault(key, RateLimit(self.limit, self.window, self.clock))
