"""A batch's events reach each page feed as one published event per session, however many groups
the batch changed: published one by one, a crowd's batch (up to 500 groups' answers or reasons)
overflowed the feed's queue, and every phone of the room was sent its whole view (a resync) at
every crowd's save."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import Session as Db

from app.config import Settings
from app.db import make_engine
from app.hub import Event, session_channel, unpacked
from app.hub.memory import QUEUE_SIZE, RESYNC, MemoryHub
from app.writer import Writer


class GroupChanged:
    """A job that changes nothing stored and tells one session that one group changed."""

    def __init__(self, session: int, group: int) -> None:
        self.events: list[Event] = [{"type": "post", "session": session, "group": group}]

    def apply(self, db: Db) -> None:
        pass

    def answer(self, db: Db, error: Exception | None) -> int:
        return self.events[0]["group"]


def test_a_crowds_batch_is_one_event_per_session_and_never_a_resync(tmp_path: Path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path))
    groups = QUEUE_SIZE + 100  # more than the queue holds, in one batch (app.writer.BATCH)

    async def scenario() -> list[Event]:
        hub = MemoryHub()
        writer = Writer(engine, hub)
        try:
            async with (
                hub.subscribe(session_channel(1)) as room,
                hub.subscribe(session_channel(2)) as other,
            ):
                jobs = [GroupChanged(1, n) for n in range(groups)] + [GroupChanged(2, 0)]
                # Queued before the writer's task runs: it takes them as one batch.
                answers = await asyncio.gather(*(writer.submit(job) for job in jobs))
                assert answers == [*range(groups), 0]
                # What each feed reads first (an overflowed queue starts with a resync).
                first = [asyncio.wait_for(anext(aiter(s)), 5) for s in (room, other)]
                return list(await asyncio.gather(*first))
        finally:
            await writer.aclose()

    first, second = asyncio.run(scenario())
    engine.dispose()
    assert first != RESYNC and second != RESYNC
    assert [e["group"] for e in unpacked(first)] == list(range(groups))
    assert unpacked(second) == [{"type": "post", "session": 2, "group": 0}]
