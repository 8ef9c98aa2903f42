"""Raw per-person rows deleted after the room has gone home: now (the facilitator's button) or
`retention_days` after the end (at start-up, hourly while serving, `sparring purge`).

What a purge deletes is declared table by table below; a test holds every model table to one of
the two lists, so a new table cannot be forgotten. The frozen summary is never touched.

One session that cannot be purged never stops the others, nor the server: its failure is logged,
kept on the session (`purge_failed_at`, shown to its facilitator) and tried again next time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select
from sqlmodel import Session as Db
from sqlmodel import SQLModel, col, delete, select

from app import audit, casework, summaries
from app.config import Settings
from app.domain.phases import Status
from app.models import (
    Group,
    GroupAnswer,
    GroupCase,
    Participant,
    Post,
    ProcessedMessage,
    Session,
    SessionCase,
    Submission,
    Vote,
    utcnow,
)
from app.writer import Outcome, Writer, run_alone

log = logging.getLogger(__name__)

Rows = Callable[[int], Select[Any]]
"""The ids of one table's rows that belong to a session (by the session's id)."""


def _cases(session_id: int) -> Select[Any]:
    return select(SessionCase.id).where(SessionCase.session_id == session_id)


def _people(session_id: int) -> Select[Any]:
    return select(Participant.id).where(Participant.session_id == session_id)


# Deleted by a purge, in this order (children before the rows they point at).
RAW: list[tuple[type[SQLModel], Rows]] = [
    (Vote, lambda s: select(Vote.id).where(col(Vote.session_case_id).in_(_cases(s)))),
    (Post, lambda s: select(Post.id).where(col(Post.session_case_id).in_(_cases(s)))),
    (
        GroupAnswer,
        lambda s: select(GroupAnswer.id).where(col(GroupAnswer.session_case_id).in_(_cases(s))),
    ),
    # Kollegasparring's cases (app.casework): all but one kept open for the series' next meeting.
    (GroupCase, casework.purgeable),
    # A phone's message ids and digests: who sent what, and when.
    (
        ProcessedMessage,
        lambda s: select(ProcessedMessage.id).where(
            col(ProcessedMessage.participant_id).in_(_people(s))
        ),
    ),
    (Participant, _people),
    (Group, lambda s: select(Group.id).where(Group.session_id == s)),
    (Submission, lambda s: select(Submission.id).where(Submission.session_id == s)),
]

# Never deleted by a purge, and why.
KEPT: dict[str, str] = {
    "session": "holds the frozen anonymised summary; title and code only",
    "sessioncase": "the facilitator's copy of each case, as the summary names it",
    "user": "staff accounts, not participants",
    "login": "staff logins, not participants",
    "sessionfacilitator": "which staff accounts co-facilitate a session (app.access)",
    "summaryreader": "which reviewers a summary was published to (app.access)",
    "librarycase": "the shared case library",
    "sessiontemplate": "saved session plans: cases and timers, no people",
    "auditevent": "who of the staff did what when (app.audit); its own retention, no participants",
    "alembic_version": "the schema's version",
}


def purge(db: Db, session: Session, settings: Settings) -> None:
    """Delete every raw row of an ended session that can link to a person. The summary is frozen
    first (an error if the session has not ended), so nothing it needs is lost."""
    summaries.kept(db, session, settings)
    assert session.id is not None
    casework.unlink_before_purge(db, session.id)
    for model, rows in RAW:
        ids = rows(session.id)
        db.exec(delete(model).where(col(model.id).in_(ids)))  # type: ignore[attr-defined]
    session.purged_at = utcnow()
    session.purge_failed_at = None
    db.add(session)
    db.flush()


class Report(NamedTuple):
    purged: list[str]  # session codes
    failed: list[str]


def due(engine: Engine, settings: Settings, now: datetime | None = None) -> list[str]:
    """The codes of the sessions that ended more than `retention_days` ago, not yet purged."""
    if settings.retention_days <= 0:
        return []
    cutoff = (now or utcnow()) - timedelta(days=settings.retention_days)
    with Db(engine) as db:
        return list(
            db.exec(
                select(Session.code).where(
                    Session.status == Status.ENDED,
                    col(Session.purged_at).is_(None),
                    col(Session.ended_at) < cutoff,
                )
            ).all()
        )


def purge_expired_session(db: Db, code: str, settings: Settings) -> Outcome[None]:
    """A command: one due session's raw rows go (unless its facilitator purged it meanwhile)."""
    session = db.exec(select(Session).where(Session.code == code)).first()
    if session is not None and session.purged_at is None:
        audit.add(db, audit.SYSTEM, "summary.purged", code, "retention")
        purge(db, session, settings)
    return Outcome(None)


def mark_failed(db: Db, code: str) -> Outcome[None]:
    """A command: keep on the session that its purge failed (shown; the next round retries)."""
    session = db.exec(select(Session).where(Session.code == code)).first()
    if session is not None:
        session.purge_failed_at = utcnow()
        db.add(session)
    return Outcome(None)


def purge_expired(engine: Engine, settings: Settings, now: datetime | None = None) -> Report:
    """Outside a serving process (command line, start-up): each due session in its own
    transaction. A session that fails is marked, logged and left for next time; the others go on."""
    report = Report([], [])
    for code in due(engine, settings, now):
        try:
            run_alone(engine, purge_expired_session, code, settings)
            report.purged.append(code)
        except Exception:
            log.exception("could not purge the raw rows of session %s; trying again later", code)
            _note_failure(engine, code)
            report.failed.append(code)
    return report


def _note_failure(engine: Engine, code: str) -> None:
    try:
        run_alone(engine, mark_failed, code)
    except Exception:  # the database itself is failing: the log above already says so
        log.exception("could not record a failed purge")


def purge_at_start(engine: Engine, settings: Settings) -> None:
    """Start-up's purge: whatever happens here, the server still starts."""
    try:
        purge_expired(engine, settings)
    except Exception:
        log.exception("retention purge at start-up failed; the server starts anyway")


async def retention_loop(engine: Engine, settings: Settings, writer: Writer) -> None:
    """Purge expired raw rows every `retention_check_seconds` while the server runs: each due
    session is a command for the writer, so a purge never blocks the room's sockets."""
    while True:
        await asyncio.sleep(settings.retention_check_seconds)
        try:
            codes = await asyncio.to_thread(due, engine, settings)
        except Exception:
            log.exception("retention check failed; trying again later")
            continue
        for code in codes:
            try:
                await writer.run(purge_expired_session, code, settings)
            except Exception:
                log.exception("could not purge the raw rows of session %s; trying again", code)
                try:
                    await writer.run(mark_failed, code)
                except Exception:
                    log.exception("could not record the failed purge of session %s", code)
