"""Accounts and logins: signing in and out, an admin's changes, a person's own password."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session as Db

from app import audit, logins, sso
from app.commands.control import account
from app.config import Settings
from app.domain import RuleError
from app.models import User
from app.writer import Outcome

T = TypeVar("T")


def by(db: Db, who: User, action: Callable[..., T], *args: Any) -> Outcome[T]:
    """An accounts action (app.accounts) done by this account, as this transaction sees it."""
    return Outcome(action(db, account(db, who.id), *args))


def log_in(
    db: Db,
    user_id: int,
    old_token: str | None,
    moment: datetime,
    detail: str,
    new_hash: str | None = None,
) -> Outcome[str]:
    """A new login for the account in this browser (its old one there ends): the new token.
    `new_hash`: the password's hash upgraded while the password was at hand."""
    user = account(db, user_id)
    if new_hash is not None:
        user.password_hash = new_hash
    audit.add(db, user, "login.succeeded", user.username, detail)
    return Outcome(_start(db, user, old_token, moment))


def _start(db: Db, user: User, old_token: str | None, moment: datetime) -> str:
    if old_token:
        logins.end(db, old_token)
    token = logins.start(db, user, moment)
    user.last_login_at = moment
    db.add(user)
    return token


def log_out(db: Db, token: str) -> Outcome[None]:
    """On the server: a copy of the cookie is refused from now on."""
    logins.end(db, token)
    return Outcome(None)


def sso_log_in(
    db: Db,
    claims: Mapping[str, Any],
    settings: Settings,
    old_token: str | None,
    moment: datetime,
) -> Outcome[tuple[str, str] | RuleError]:
    """The organisation's login: (token, role) for the verified person's account, made or updated
    from the claims; or the refusal, returned rather than raised so its audit row is kept."""
    try:
        user = sso.account_for(db, claims, settings)
    except sso.Refused as refused:
        audit.add(db, "", "login.failed", refused.name, refused.detail)
        return Outcome(refused.error)
    return Outcome((_start(db, user, old_token, moment), user.role))
