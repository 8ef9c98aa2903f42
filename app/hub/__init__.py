"""Broadcast of small JSON events to every open page of a session (one channel per session)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Event = dict[str, Any]


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[Event]: ...


class Hub(Protocol):
    async def publish(self, channel: str, event: Event) -> None: ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]: ...

    async def aclose(self) -> None: ...


def make_hub(redis_url: str, prefix: str) -> Hub:
    """Redis pub/sub when a URL is set (several workers or machines), else in-process."""
    if redis_url:
        from app.hub.redis import RedisHub

        return RedisHub(redis_url, prefix)
    from app.hub.memory import MemoryHub

    return MemoryHub()


def session_channel(session_id: int) -> str:
    return f"session:{session_id}"


BATCH = "batch"


def published(session_id: int, events: list[Event]) -> Event:
    """One batch's events for one session as one published event: a crowd's batch changes up to
    500 groups, and published one by one they overflowed each page feed's queue (QUEUE_SIZE), so
    every phone of a room above ~250 groups was sent its whole view at every crowd's save."""
    if len(events) == 1:
        return events[0]
    return {"type": BATCH, "session": session_id, "events": events}


def unpacked(event: Event) -> list[Event]:
    """The events one published event stands for (see published)."""
    inner: list[Event] = event["events"] if event.get("type") == BATCH else [event]
    return inner
