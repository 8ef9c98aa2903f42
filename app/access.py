"""Who may open a session, and who may read its published summary.

A session belongs to the facilitator who made it (Session.facilitator_id). The owner may add other
facilitators as co-facilitators: they see and drive the room like the owner (two laptops in one
room), but only the owner shares it, publishes its summary and purges its raw rows. Every other
facilitator neither sees nor drives it. A published summary is read by the reviewers the owner
published it to, by name; the library and the session templates stay shared by all facilitators.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session as Db
from sqlmodel import col, or_, select

from app import services
from app.domain import RuleError
from app.hub import Event
from app.models import Session, SessionFacilitator, SummaryReader, User


class Part(StrEnum):
    OWNER = "owner"
    CO = "co"


def part_in(db: Db, session: Session, user_id: int | None) -> Part | None:
    """The user's part in the session: owner, co-facilitator, or none."""
    if user_id is None:
        return None
    if session.facilitator_id == user_id:
        return Part.OWNER
    shared = db.exec(
        select(SessionFacilitator.id).where(
            SessionFacilitator.session_id == session.id, SessionFacilitator.user_id == user_id
        )
    ).first()
    return Part.CO if shared is not None else None


def session_for(db: Db, code: str, user: User, *, owner: bool = False) -> Session:
    """The session with this code if the user may drive it (or, with owner=True, share, publish and
    purge it); otherwise a refusal that says whose it is not (403), never its content."""
    session = services.session_by_code(db, code)
    part = part_in(db, session, user.id)
    if part is None:
        raise RuleError("access.not_shared", code=session.code)
    if owner and part is not Part.OWNER:
        raise RuleError("access.owner_only", code=session.code)
    return session


def sessions_of(db: Db, user: User) -> list[Session]:
    """The sessions the user owns or co-facilitates, newest first (the dashboard)."""
    shared = select(SessionFacilitator.session_id).where(SessionFacilitator.user_id == user.id)
    return list(
        db.exec(
            select(Session)
            .where(or_(Session.facilitator_id == user.id, col(Session.id).in_(shared)))
            .order_by(col(Session.created_at).desc())
        ).all()
    )


def co_facilitators(db: Db, session: Session) -> list[User]:
    return list(
        db.exec(
            select(User)
            .join(SessionFacilitator, col(SessionFacilitator.user_id) == col(User.id))
            .where(SessionFacilitator.session_id == session.id)
            .order_by(col(User.username))
        ).all()
    )


def add_co_facilitator(db: Db, session: Session, username: str) -> User:
    """Share the session with another facilitator, by username."""
    name = username.strip()
    user = db.exec(select(User).where(User.username == name)).first() if name else None
    if user is None or user.role != "facilitator":
        raise RuleError("share.no_such_facilitator", name=name[:80])
    if part_in(db, session, user.id) is not None:
        raise RuleError("share.already", name=user.username)
    assert session.id is not None and user.id is not None
    db.add(SessionFacilitator(session_id=session.id, user_id=user.id))
    db.flush()
    return user


def remove_co_facilitator(db: Db, session: Session, user_id: int) -> list[Event]:
    """Unshare: the co-facilitator's open control and projector pages are closed (app.feed)."""
    row = db.exec(
        select(SessionFacilitator).where(
            SessionFacilitator.session_id == session.id, SessionFacilitator.user_id == user_id
        )
    ).first()
    if row is None:
        raise RuleError("share.not_co_facilitator")
    db.delete(row)
    db.flush()
    return [{"type": "access", "session": session.id, "user": user_id}]


# Published summaries ------------------------------------------------------------------------------


def reviewers(db: Db) -> list[User]:
    return list(db.exec(select(User).where(User.role == "reviewer").order_by(col(User.username))))


def readers(db: Db, session: Session) -> list[int]:
    rows = db.exec(select(SummaryReader.user_id).where(SummaryReader.session_id == session.id))
    return list(rows.all())


def set_readers(db: Db, session: Session, user_ids: list[int]) -> None:
    """The reviewers who may read the summary once published (committed by the caller)."""
    known = {u.id for u in reviewers(db)}
    wanted = {i for i in user_ids if i in known}
    if not wanted:
        raise RuleError("share.no_readers")
    assert session.id is not None
    current = set(readers(db, session))
    for row in db.exec(select(SummaryReader).where(SummaryReader.session_id == session.id)):
        if row.user_id not in wanted:
            db.delete(row)
    for user_id in sorted(wanted - current):
        db.add(SummaryReader(session_id=session.id, user_id=user_id))


def readable_by(user: User) -> ColumnElement[bool]:
    """A where-clause: the sessions whose summary was published to this reviewer."""
    return col(Session.id).in_(
        select(SummaryReader.session_id).where(SummaryReader.user_id == user.id)
    )
