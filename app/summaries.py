"""Summaries after the room has gone home: freeze, closing notes, publish, purge raw rows."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session as Db
from sqlmodel import col, delete, select

from app.config import Settings
from app.db import begin_write
from app.domain import RuleError
from app.domain.anonymise import scrub
from app.domain.phases import Status
from app.export import build as summary_build
from app.export.summary import Summary, from_json, to_json
from app.library import load_library
from app.models import (
    Group,
    GroupAnswer,
    Participant,
    Post,
    Session,
    SessionCase,
    Submission,
    Vote,
    utcnow,
)
from app.writer import Writer

MAX_NOTE = 4000

log = logging.getLogger(__name__)


def _aliases(db: Db, session: Session) -> list[str]:
    people = db.exec(select(Participant).where(Participant.session_id == session.id))
    return [p.alias for p in people if p.alias]


def freeze(db: Db, session: Session, settings: Settings) -> Summary:
    """Build the summary from the raw rows once and keep its JSON with the session."""
    if Status(session.status) is not Status.ENDED:
        raise RuleError("summary.not_ended", expected=Status.ENDED, found=Status(session.status))
    duty_names = {d.slug: d.name_da for d in load_library(settings.seed_dir).duties}
    summary = summary_build.build(db, session, settings.anonymity_threshold, duty_names)
    _store(db, session, summary)
    return summary


def _store(db: Db, session: Session, summary: Summary) -> None:
    session.summary_json = to_json(summary)
    db.add(session)
    db.commit()


def summary_of(db: Db, session: Session, settings: Settings) -> Summary:
    """The stored summary; an ended session from before summaries were stored is frozen now."""
    if session.summary_json is not None:
        return from_json(session.summary_json)
    return freeze(db, session, settings)


def save_notes(
    db: Db, session: Session, settings: Settings, note: str, case_notes: Mapping[int, str]
) -> Summary:
    """Closing notes for the session and per case (by position), scrubbed like all free text."""
    if session.published_at is not None:
        raise RuleError("summary.notes_fixed")
    texts = [note, *case_notes.values()]
    if any(len(t) > MAX_NOTE for t in texts):
        raise RuleError("summary.note_too_long", most=MAX_NOTE)
    summary = summary_of(db, session, settings)
    aliases = _aliases(db, session)
    summary.closing_note = scrub(note.strip(), aliases)
    for position, text in case_notes.items():
        case = summary.case(position)
        if case is None:
            raise RuleError("summary.no_case", position=position)
        case.closing_note = scrub(text.strip(), aliases)
    _store(db, session, summary)
    return summary


def published(db: Db) -> list[tuple[Session, Summary]]:
    """What reviewers may read: ended sessions whose summary was published, newest first."""
    rows = db.exec(
        select(Session)
        .where(col(Session.published_at).is_not(None), col(Session.summary_json).is_not(None))
        .order_by(col(Session.created_at).desc())
    ).all()
    return [(s, from_json(s.summary_json or "")) for s in rows]


def published_summary(db: Db, code: str) -> tuple[Session, Summary]:
    """One published summary; a draft or a live session is as unknown to reviewers as a bad code."""
    session = db.exec(
        select(Session).where(Session.code == code, col(Session.published_at).is_not(None))
    ).first()
    if session is None or session.summary_json is None:
        raise RuleError("none.summary", code=code[:12])
    return session, from_json(session.summary_json)


def publish(db: Db, session: Session, settings: Settings) -> None:
    """Draft -> published: from now on reviewers see it, and the notes are fixed."""
    summary_of(db, session, settings)
    if session.published_at is not None:
        raise RuleError("summary.already_published")
    session.published_at = utcnow()
    db.add(session)
    db.commit()


def purge(db: Db, session: Session, settings: Settings) -> None:
    """Delete every per-person row of an ended session; the frozen summary stays."""
    summary_of(db, session, settings)  # freezes first, so nothing is lost
    case_ids = select(SessionCase.id).where(SessionCase.session_id == session.id)
    people = select(Participant.id).where(Participant.session_id == session.id)
    db.exec(delete(Vote).where(col(Vote.session_case_id).in_(case_ids)))
    db.exec(delete(Post).where(col(Post.session_case_id).in_(case_ids)))
    db.exec(delete(GroupAnswer).where(col(GroupAnswer.session_case_id).in_(case_ids)))
    db.exec(delete(Participant).where(col(Participant.id).in_(people)))
    db.exec(delete(Group).where(col(Group.session_id) == session.id))
    db.exec(delete(Submission).where(col(Submission.session_id) == session.id))
    session.purged_at = utcnow()
    db.add(session)
    db.commit()


def purge_expired(db: Db, settings: Settings, now: datetime | None = None) -> list[str]:
    """Purge the sessions that ended more than `retention_days` ago; returns their codes."""
    if settings.retention_days <= 0:
        return []
    cutoff = (now or utcnow()) - timedelta(days=settings.retention_days)
    due = db.exec(
        select(Session).where(
            Session.status == Status.ENDED,
            col(Session.purged_at).is_(None),
            col(Session.ended_at) < cutoff,
        )
    ).all()
    for session in due:
        purge(db, session, settings)
    return [s.code for s in due]


async def retention_loop(engine: Engine, settings: Settings, writer: Writer) -> None:
    """Purge expired raw rows every `retention_check_seconds` while the server runs (start-up
    purges first). It writes in its turn (app.writer) and in a thread, like a request: a purge
    never blocks the room's sockets, and one that fails is tried again next time."""
    while True:
        await asyncio.sleep(settings.retention_check_seconds)
        try:
            async with writer.turn():
                await asyncio.to_thread(_purge_expired_now, engine, settings)
        except Exception:
            log.exception(
                "retention purge failed; trying again in %s s", settings.retention_check_seconds
            )


def _purge_expired_now(engine: Engine, settings: Settings) -> None:
    with Db(engine) as db:
        begin_write(db)
        purge_expired(db, settings)
