"""Accounts as an admin keeps them in the browser: create, role, temporary password, disable, remove.

Each change is recorded in the audit trail and ends the account's logins where it changes what the
account may do (role, password, disabled, removed). An admin never changes their own account here,
so an installation cannot lose its last admin by a slip.
"""

from __future__ import annotations

import re
import secrets

from sqlmodel import Session as Db
from sqlmodel import col, delete, select

from app import audit, auth, logins
from app.domain import RuleError
from app.models import Session, SessionFacilitator, SummaryReader, User

ROLES = ("facilitator", "reviewer", "admin")
USERNAME = re.compile(r"^[\w.@+-]{2,80}$")
MIN_PASSWORD = 10


def temporary_password() -> str:
    return secrets.token_urlsafe(9)


def everyone(db: Db) -> list[User]:
    return list(db.exec(select(User).order_by(col(User.role), col(User.username))))


def _other(db: Db, admin: User, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise RuleError("none.account")
    if user.id == admin.id:
        raise RuleError("account.not_yourself")
    return user


def _role(role: str) -> str:
    if role not in ROLES:
        raise RuleError("account.unknown_role", found=role[:20])
    return role


def create(db: Db, admin: User, username: str, role: str) -> tuple[User, str]:
    """A new account with a temporary password (returned once, to be shown once)."""
    name = username.strip()
    if not USERNAME.match(name):
        raise RuleError("account.bad_username")
    if db.exec(select(User).where(User.username == name)).first() is not None:
        raise RuleError("account.taken", name=name)
    password = temporary_password()
    user = User(
        username=name,
        password_hash=auth.hash_password(password),
        role=_role(role),
        password_temporary=True,
    )
    db.add(user)
    audit.add(db, admin, "account.created", name, role)
    db.flush()
    return user, password


def set_role(db: Db, admin: User, user_id: int, role: str) -> User:
    user = _other(db, admin, user_id)
    if user.role != _role(role):
        audit.add(db, admin, "account.role", user.username, f"{user.role} -> {role}")
        user.role = role
        db.add(user)
        logins.end_all(db, user_id)  # pages of the old role close; the new role logs in anew
        db.flush()
    return user


def new_password(db: Db, admin: User, user_id: int) -> tuple[User, str]:
    user = _other(db, admin, user_id)
    password = temporary_password()
    user.password_hash = auth.hash_password(password)
    user.password_temporary = True
    db.add(user)
    logins.end_all(db, user_id)
    audit.add(db, admin, "account.password", user.username, "temporary")
    db.flush()
    return user, password


def set_disabled(db: Db, admin: User, user_id: int, disabled: bool) -> User:
    user = _other(db, admin, user_id)
    if user.disabled != disabled:
        user.disabled = disabled
        db.add(user)
        logins.end_all(db, user_id)
        audit.add(db, admin, "account.disabled" if disabled else "account.enabled", user.username)
        db.flush()
    return user


def remove(db: Db, admin: User | str, user: User, successor_id: int | None) -> None:
    """Delete the account and its logins. Its sessions go to the successor facilitator, or stay
    without an owner (then only their co-facilitators still open them)."""
    assert user.id is not None
    successor = db.get(User, successor_id) if successor_id else None
    if successor_id and (successor is None or successor.role != "facilitator"):
        raise RuleError("account.bad_successor")
    if successor is not None and successor.id == user.id:
        raise RuleError("account.bad_successor")
    logins.end_all(db, user.id)
    for session in db.exec(select(Session).where(Session.facilitator_id == user.id)):
        session.facilitator_id = successor.id if successor else None
        db.add(session)
        if successor is not None:  # the new owner is no longer a mere co-facilitator of it
            for row in db.exec(
                select(SessionFacilitator).where(
                    SessionFacilitator.session_id == session.id,
                    SessionFacilitator.user_id == successor.id,
                )
            ):
                db.delete(row)
    db.exec(delete(SessionFacilitator).where(col(SessionFacilitator.user_id) == user.id))
    db.exec(delete(SummaryReader).where(col(SummaryReader.user_id) == user.id))
    detail = f"sessions -> {successor.username}" if successor else ""
    audit.add(db, admin, "account.removed", user.username, detail)
    db.delete(user)
    db.flush()


def remove_other(db: Db, admin: User, user_id: int, successor_id: int | None) -> str:
    user = _other(db, admin, user_id)
    remove(db, admin, user, successor_id)
    return user.username


def change_own_password(db: Db, user: User, password: str, repeated: str) -> None:
    """The person replaces a temporary password (or their own) with one only they know."""
    if len(password) < MIN_PASSWORD:
        raise RuleError("account.password_short", most=MIN_PASSWORD)
    if password != repeated:
        raise RuleError("account.password_mismatch")
    user.password_hash = auth.hash_password(password)
    user.password_temporary = False
    db.add(user)
    audit.add(db, user, "account.password", user.username, "own")
    db.flush()
