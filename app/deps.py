"""Dependency aliases: the db handle, the hub, and who is asking."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session as Db

from app import access, logins, services
from app.config import Settings
from app.db import begin_write
from app.hub import Hub
from app.models import Participant, User
from app.writer import Writer

PARTICIPANT_COOKIE = "sparring_p"
# A random key per browser (kollegasparring): the case-giver of a case kept open is found again at
# the series' next meeting from the same phone. Stored only hashed, only on such cases.
DEVICE_COOKIE = "sparring_device"


class LoginRequired(Exception):
    """Raised for a page that needs a facilitator; the handler redirects to the login page, saying
    so when the person's login has just ended (idle, logged out elsewhere)."""

    def __init__(self, ended: bool = False) -> None:
        super().__init__()
        self.ended = ended


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def write_turn(request: Request) -> AsyncIterator[None]:
    """A state-changing request first waits for the process's write turn (app.writer), on the loop.

    Only the turn's holder then waits for the database's write lock in a worker thread: a crowd of
    requests waiting to write holds no threads, so the holder always finds one for its own work.
    """
    if request.method in SAFE_METHODS:
        yield
        return
    writer: Writer = request.app.state.writer
    async with writer.turn():
        yield


def get_db(request: Request, _turn: Annotated[None, Depends(write_turn)]) -> Iterator[Db]:
    """A db handle; for a state-changing request its transaction starts as the writer (db.py).

    FastAPI enters this in a worker thread, so waiting for the write lock never blocks the loop.
    """
    with Db(get_engine(request)) as db:
        if request.method not in SAFE_METHODS:
            begin_write(db)
        yield db


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


EngineDep = Annotated[Engine, Depends(get_engine)]
DbDep = Annotated[Db, Depends(get_db)]
HubDep = Annotated[Hub, Depends(get_hub)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class PasswordChangeRequired(Exception):
    """The account still has the temporary password an admin set: it is replaced first."""


def signed_in_user(request: Request, db: DbDep) -> User:
    """Whoever is logged in, any role (their own account page)."""
    user_id = request.scope.get(logins.USER)  # a live login's user, found by logins.Logins
    user = db.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.disabled:
        raise LoginRequired(ended=request.scope.get(logins.ENDED, False))
    return user


def _signed_in(request: Request, db: Db, role: str) -> User:
    user = signed_in_user(request, db)
    if user.role != role:
        raise LoginRequired(ended=request.scope.get(logins.ENDED, False))
    if user.password_temporary:
        raise PasswordChangeRequired()
    return user


def current_facilitator(request: Request, db: DbDep) -> User:
    return _signed_in(request, db, "facilitator")


def current_reviewer(request: Request, db: DbDep) -> User:
    """Management: reads published summaries only."""
    return _signed_in(request, db, "reviewer")


def current_admin(request: Request, db: DbDep) -> User:
    """Accounts and the audit trail; no sessions."""
    return _signed_in(request, db, "admin")


def current_participant(request: Request, db: DbDep) -> Participant:
    person = services.participant_by_token(db, request.cookies.get(PARTICIPANT_COOKIE))
    if person is None:
        raise HTTPException(status_code=303, headers={"Location": "/"})
    return person


def shared_session(request: Request, db: DbDep) -> None:
    """A staff route with a session code in its path opens only for the session's owner and its
    co-facilitators (app.access); anyone else gets a clear 403 before the route does anything."""
    code = request.path_params.get("code")
    if isinstance(code, str):
        access.session_for(db, code, current_facilitator(request, db))


FacilitatorDep = Annotated[User, Depends(current_facilitator)]
ReviewerDep = Annotated[User, Depends(current_reviewer)]
AdminDep = Annotated[User, Depends(current_admin)]
UserDep = Annotated[User, Depends(signed_in_user)]
ParticipantDep = Annotated[Participant, Depends(current_participant)]


def public_base(settings: Settings, request_base: str) -> str:
    """The address phones should open: configured, else the one this request came in on."""
    if settings.public_url:
        return settings.public_url
    return request_base.replace("ws://", "http://", 1).replace("wss://", "https://", 1)
