"""Facilitators' and reviewers' logins, kept on the server.

The signed session cookie carries a random token; the `login` table holds only its hash, with the
user, when it began and when it was last used. A login ends at logout, after
SPARRING_LOGIN_IDLE_MINUTES unused, SPARRING_LOGIN_MAX_HOURS after it began, and when its user gets a
new password or is removed: a copy of the cookie is refused from then on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session as Db
from sqlmodel import col, delete
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app import auth, i18n
from app.config import Settings
from app.db import begin_write
from app.models import Login, User

TOKEN = "login"  # its key in the signed session cookie
USER = "sparring.login_user"  # scope key: the user id of the request's live login, if any
ENDED = "sparring.login_ended"  # scope key: the request came with a login that has ended
TOUCH_EVERY = timedelta(minutes=1)  # last use is written this often at most, not on every request


def now(connection: HTTPConnection) -> datetime:
    """The app's clock (app.state.clock): tests move it instead of waiting."""
    moment: datetime = connection.app.state.clock()
    return moment


def start(db: Db, user: User, moment: datetime) -> str:
    """A new login for user, committed by the caller; returns the token for the cookie."""
    assert user.id is not None
    token = auth.new_token()
    db.add(Login(id=auth.token_hash(token), user_id=user.id, created_at=moment, seen_at=moment))
    return token


def end(db: Db, token: str) -> None:
    db.exec(delete(Login).where(col(Login.id) == auth.token_hash(token)))


def end_all(db: Db, user_id: int) -> None:
    """Every login of this user: after a new password, or before the user is removed."""
    db.exec(delete(Login).where(col(Login.user_id) == user_id))


def expired(login: Login, settings: Settings, moment: datetime) -> bool:
    idle = moment - login.seen_at > timedelta(minutes=settings.login_idle_minutes)
    return idle or moment - login.created_at > timedelta(hours=settings.login_max_hours)


def resolve(engine: Engine, settings: Settings, moment: datetime, token: str) -> int | None:
    """The user id of the token's live login, else None (logged out, or expired and now removed).

    Reads first and writes only when the login has expired or its last use is over a minute old,
    so a busy facilitator costs one small write a minute, not one per request.
    """
    key = auth.token_hash(token)
    with Db(engine) as db:
        login = db.get(Login, key)
        if login is None:
            return None
        user_id, stale = login.user_id, expired(login, settings, moment)
        if not stale and moment - login.seen_at < TOUCH_EVERY:
            return user_id
    with Db(engine) as db:
        begin_write(db)
        login = db.get(Login, key)
        if login is not None:
            if stale:
                db.delete(login)
            else:
                login.seen_at = moment
            db.commit()
    return None if stale else user_id


def alive(engine: Engine, settings: Settings, moment: datetime, token: str) -> bool:
    """Whether the token's login still holds; reads only (an open page is not use, a click is)."""
    with Db(engine) as db:
        login = db.get(Login, auth.token_hash(token))
        return login is not None and not expired(login, settings, moment)


class Logins:
    """ASGI middleware inside SessionMiddleware: resolves the cookie's login once per request or
    socket and leaves the user id in scope[USER]. It runs before any endpoint opens its own
    transaction, so its last-use write never waits on the request's own write lock."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("session")
        token = session.get(TOKEN) if session is not None else None
        if isinstance(token, str) and not scope["path"].startswith("/static/"):
            state = scope["app"].state
            try:
                user_id = await run_in_threadpool(
                    resolve, state.engine, state.settings, state.clock(), token
                )
            except (OperationalError, InterfaceError):
                await _database_down(scope, receive, send)
                return
            scope[USER] = user_id
            if user_id is None:
                assert session is not None
                del session[TOKEN]  # and SessionMiddleware clears the cookie with the response
                scope[ENDED] = True
        await self.app(scope, receive, send)


async def _database_down(scope: Scope, receive: Receive, send: Send) -> None:
    """Whose login this is cannot be known while the database does not answer: say so (a socket
    is refused, and its page tries again with backoff)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1013})
        return
    response = PlainTextResponse(
        i18n.gettext("Databasen svarer ikke lige nu, så intet er gemt. Prøv igen om lidt."),
        status_code=503,
    )
    await response(scope, receive, send)
