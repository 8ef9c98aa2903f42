"""After the session: closing notes, publishing to named reviewers, purging the raw rows."""

from __future__ import annotations

from sqlmodel import Session as Db

from app import access, audit, retention, summaries
from app.commands.control import staff
from app.config import Settings
from app.domain import RuleError
from app.models import User
from app.writer import Outcome

Done = Outcome[None]


def _names(db: Db, user_ids: list[int]) -> str:
    users = (db.get(User, i) for i in set(user_ids))
    return ", ".join(sorted(u.username for u in users if u is not None))


def save_notes(db: Db, code: str, who: User, settings: Settings, notes: summaries.Notes) -> Done:
    session, _ = staff(db, code, who)
    summaries.save_notes(db, session, settings, notes.session, notes.cases)
    return Outcome(None)


def publish(
    db: Db,
    code: str,
    who: User,
    settings: Settings,
    readers: list[int],
    notes: summaries.Notes | None,
) -> Done:
    """Publish to the reviewers ticked (by name, not to all), with the notes as they stand: a note
    typed but not yet saved is published rather than lost."""
    session, user = staff(db, code, who, owner=True)
    if session.published_at is not None:
        raise RuleError("summary.already_published")
    access.set_readers(db, session, readers)
    audit.add(db, user, "summary.published", session.code, _names(db, readers))
    summaries.publish(db, session, settings, notes)
    return Outcome(None)


def change_readers(db: Db, code: str, who: User, readers: list[int]) -> Done:
    """After publishing: the owner shares the summary with more reviewers, or with fewer."""
    session, user = staff(db, code, who, owner=True)
    if session.published_at is None:
        raise RuleError("share.not_published")
    access.set_readers(db, session, readers)
    audit.add(db, user, "summary.readers", session.code, _names(db, readers))
    return Outcome(None)


def purge(db: Db, code: str, who: User, settings: Settings) -> Done:
    """The raw rows go now (the summary stays); app.retention says what is raw."""
    session, user = staff(db, code, who, owner=True)
    retention.purge(db, session, settings)
    audit.add(db, user, "summary.purged", session.code)
    return Outcome(None)
