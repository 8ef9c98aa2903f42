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
from app.live_rules import Audience
from app.models import Participant, Session
from app.room import present_of
from app.writer import Outcome, Writer

log = logging.getLogger(__name__)


def arrive(db: Db, session_id: int, participant_id: int) -> Outcome[None]:
    """A command: a phone's page opened or reconnected (reconnects come in crowds: one batch)."""
    session = db.get(Session, session_id)
    person = db.get(Participant, participant_id)
    if session is None or person is None:
        return Outcome(None)
    return Outcome(None, services.arrive(db, session, person))


def seen(db: Db, participant_ids: list[int]) -> Outcome[None]:
    """A command, the beat's one write: every phone page open in this process is still here."""
    services.mark_seen(db, participant_ids)
    return Outcome(None)


async def beat(feeds: Feeds, writer: Writer) -> None:
    """Mark the open phones as seen, then tell each session's staff pages if who is present changed
    (a phone gone quiet drops out of the counts without anybody pressing anything)."""
    phones = [
        page.participant_id
        for feed in list(feeds.feeds.values())
        for page in list(feed.pages)
        if page.audience is Audience.PARTICIPANT and page.participant_id is not None
    ]
    await writer.run(seen, phones)
    for session_id, feed in list(feeds.feeds.items()):
        room = feed.cached
        if room is None:
            continue  # nothing rendered from it yet: the next render reads presence afresh
        if await asyncio.to_thread(_present_now, feeds.engine, session_id) != room.present:
            await feed.dispatch({"type": "presence", "session": session_id})


def _present_now(engine: Engine, session_id: int) -> frozenset[int]:
    # Three columns, not 3,000 participants as objects, every beat in every worker.
    seen = select(Participant.id, Participant.seen_at, Participant.left_at)
    with Db(engine) as db:
        return present_of(db.exec(seen.where(Participant.session_id == session_id)))


async def beat_loop(feeds: Feeds, writer: Writer, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await beat(feeds, writer)
        except Exception:
            log.exception("presence beat failed; trying again in %s s", seconds)
