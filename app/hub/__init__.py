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


def session_channel(session_id: int) -> str:
    return f"session:{session_id}"
