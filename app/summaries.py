"""Summaries after the room has gone home: freeze, closing notes, publish (purging: app.retention)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session as Db
from sqlmodel import col, select

from app import access
from app.config import Settings
from app.domain import RuleError
from app.domain.anonymise import scrub
from app.domain.phases import Status
from app.export import build as summary_build
from app.export.summary import Summary, from_json, to_json
from app.library import duty_names
from app.models import Participant, Session, User, utcnow

MAX_NOTE = 4000


def _aliases(db: Db, session: Session) -> list[str]:
    people = db.exec(select(Participant).where(Participant.session_id == session.id))
    return [p.alias for p in people if p.alias]


def freeze(db: Db, session: Session, settings: Settings) -> Summary:
    """Build the summary from the raw rows once and keep its JSON with the session."""
    summary = _built(db, session, settings)
    _store(db, session, summary)
    return summary


def _built(db: Db, session: Session, settings: Settings) -> Summary:
    if Status(session.status) is not Status.ENDED:
        raise RuleError("summary.not_ended", expected=Status.ENDED, found=Status(session.status))
    names = duty_names(settings.seed_dir)
    return summary_build.build(db, session, settings.anonymity_threshold, names)


def _store(db: Db, session: Session, summary: Summary) -> None:
    session.summary_json = to_json(summary)
    db.add(session)
    db.flush()


def summary_of(db: Db, session: Session, settings: Settings) -> Summary:
    """The stored summary, for a reader. One not frozen yet (the end's freeze is a command of its
    own, app.commands.control.freeze_summary, and the server may have stopped before it ran; or
    the session ended before summaries were stored) is built from the raw rows, not kept."""
    if session.summary_json is not None:
        return from_json(session.summary_json)
    return _built(db, session, settings)


def kept(db: Db, session: Session, settings: Settings) -> Summary:
    """The stored summary, for a writer about to change it or the rows it is built from (notes,
    publishing, a purge): one not frozen yet is frozen now."""
    if session.summary_json is not None:
        return from_json(session.summary_json)
    return freeze(db, session, settings)


@dataclass(frozen=True)
class Notes:
    """The closing notes as a form sends them: for the session, and per case by position."""

    session: str
    cases: Mapping[int, str]


def save_notes(
    db: Db, session: Session, settings: Settings, note: str, case_notes: Mapping[int, str]
) -> Summary:
    """Closing notes for the session and per case (by position), scrubbed like all free text."""
    if session.published_at is not None:
        raise RuleError("summary.notes_fixed")
    texts = [note, *case_notes.values()]
    if any(len(t) > MAX_NOTE for t in texts):
        raise RuleError("summary.note_too_long", most=MAX_NOTE)
    summary = kept(db, session, settings)
    aliases = _aliases(db, session)
    summary.closing_note = scrub(note.strip(), aliases)
    for position, text in case_notes.items():
        case = summary.case(position)
        if case is None:
            raise RuleError("summary.no_case", position=position)
        case.closing_note = scrub(text.strip(), aliases)
    _store(db, session, summary)
    return summary


def published(db: Db, reader: User) -> list[tuple[Session, Summary]]:
    """What this reviewer may read: summaries published to them (app.access), newest first."""
    rows = db.exec(
        select(Session)
        .where(col(Session.published_at).is_not(None), col(Session.summary_json).is_not(None))
        .where(access.readable_by(reader))
        .order_by(col(Session.created_at).desc())
    ).all()
    return [(s, from_json(s.summary_json or "")) for s in rows]


def published_summary(db: Db, code: str, reader: User) -> tuple[Session, Summary]:
    """One summary published to this reviewer; a draft, a live session or one published to others
    is as unknown to the reviewer as a bad code."""
    session = db.exec(
        select(Session).where(
            Session.code == code,
            col(Session.published_at).is_not(None),
            access.readable_by(reader),
        )
    ).first()
    if session is None or session.summary_json is None:
        raise RuleError("none.summary", code=code[:12])
    return session, from_json(session.summary_json)


def publish(db: Db, session: Session, settings: Settings, notes: Notes | None = None) -> None:
    """Draft -> published: from now on reviewers see it, and the notes are fixed.

    `notes` are the ones on the page when the button was pressed: saved first, so a note typed
    but not yet saved is published rather than lost.
    """
    kept(db, session, settings)
    if session.published_at is not None:
        raise RuleError("summary.already_published")
    if notes is not None:
        save_notes(db, session, settings, notes.session, notes.cases)
    session.published_at = utcnow()
    db.add(session)
    db.flush()
