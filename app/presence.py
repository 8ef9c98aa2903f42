"""Presence on the wire: open phone pages are marked as seen, and the staff pages are told when
someone has gone or come back (the rule itself: app/domain/presence.py)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.engine import Engine
from sqlmodel import Session as Db
from sqlmodel import select

from app import services
from app.feed import Feeds
from app.hub import Event
from app.live_rules import Audience
from app.models import Participant, Session
from app.room import present_ids
from app.writer import Writer

log = logging.getLogger(__name__)


class Arrive:
    """A phone's page opened or reconnected: a job for the writer (reconnects come in crowds)."""

    def __init__(self, session_id: int, participant_id: int) -> None:
        self.session_id, self.participant_id = session_id, participant_id
        self.events: list[Event] = []

    def apply(self, db: Db) -> None:
        session = db.get(Session, self.session_id)
        person = db.get(Participant, self.participant_id)
        if session is not None and person is not None:
            self.events = services.arrive(db, session, person)

    def answer(self, _db: Db, error: Exception | None) -> None:
        if error is not None:
            raise error


class Seen:
    """The beat's one write: every phone page open in this process is still in the room."""

    def __init__(self, participant_ids: list[int]) -> None:
        self.participant_ids = participant_ids
        self.events: list[Event] = []

    def apply(self, db: Db) -> None:
        services.mark_seen(db, self.participant_ids)

    def answer(self, _db: Db, error: Exception | None) -> None:
        if error is not None:
            raise error


async def beat(feeds: Feeds, writer: Writer) -> None:
    """Mark the open phones as seen, then tell each session's staff pages if who is present changed
    (a phone gone quiet drops out of the counts without anybody pressing anything)."""
    phones = [
        page.participant_id
        for feed in list(feeds.feeds.values())
        for page in list(feed.pages)
        if page.audience is Audience.PARTICIPANT and page.participant_id is not None
    ]
    await writer.submit(Seen(phones))
    for session_id, feed in list(feeds.feeds.items()):
        room = feed.cached
        if room is None:
            continue  # nothing rendered from it yet: the next render reads presence afresh
        if await asyncio.to_thread(_present_now, feeds.engine, session_id) != room.present:
            await feed.dispatch({"type": "presence", "session": session_id})


def _present_now(engine: Engine, session_id: int) -> frozenset[int]:
    with Db(engine) as db:
        return present_ids(db.exec(select(Participant).where(Participant.session_id == session_id)))


async def beat_loop(feeds: Feeds, writer: Writer, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await beat(feeds, writer)
        except Exception:
            log.exception("presence beat failed; trying again in %s s", seconds)
