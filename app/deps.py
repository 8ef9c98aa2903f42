"""Dependency aliases: the db handle, the hub, and who is asking."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session as Db

from app import access, logins, services
from app.config import Settings
from app.hub import Hub
from app.models import Participant, User
from app.writer import Writer

PARTICIPANT_COOKIE = "sparring_p"
# A random key per browser (kollegasparring): the case-giver of a case kept open is found again at
# the series' next meeting from the same phone. Stored only hashed, only on such cases.
DEVICE_COOKIE = "sparring_device"


R = TypeVar("R")


class LoginRequired(Exception):
    """Raised for a page that needs a facilitator; the handler redirects to the login page, saying
    so when the person's login has just ended (idle, logged out elsewhere)."""

    def __init__(self, ended: bool = False) -> None:
        super().__init__()
        self.ended = ended


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_db(request: Request) -> Iterator[Db]:
    """A db handle for reading. FastAPI enters it in a worker thread, never on the event loop.
    Nothing is written through it: changes are commands for the writer (app.commands)."""
    with reader(get_engine(request)) as db:
        yield db


def _read_only(*_args: object) -> None:
    raise RuntimeError("a request's db handle only reads: run a command (app.commands) instead")


def get_writer(request: Request) -> Writer:
    writer: Writer = request.app.state.writer
    return writer


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


EngineDep = Annotated[Engine, Depends(get_engine)]
DbDep = Annotated[Db, Depends(get_db)]
WriterDep = Annotated[Writer, Depends(get_writer)]
HubDep = Annotated[Hub, Depends(get_hub)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class PasswordChangeRequired(Exception):
    """The account still has the temporary password an admin set: it is replaced first."""


# Who is asking: each read in a short session of its own (a worker thread), so a handler that then
# waits for the writer holds no connection meanwhile (a crowd of such requests cannot empty the pool
# the writer needs).


def signed_in_user(request: Request) -> User:
    """Whoever is logged in, any role (their own account page)."""
    user_id = request.scope.get(logins.USER)  # a live login's user, found by logins.Logins
    with reader(get_engine(request)) as db:
        user = db.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.disabled:
        raise LoginRequired(ended=request.scope.get(logins.ENDED, False))
    return user


def _signed_in(request: Request, role: str) -> User:
    user = signed_in_user(request)
    if user.role != role:
        raise LoginRequired(ended=request.scope.get(logins.ENDED, False))
    if user.password_temporary:
        raise PasswordChangeRequired()
    return user


def current_facilitator(request: Request) -> User:
    return _signed_in(request, "facilitator")


def current_reviewer(request: Request) -> User:
    """Management: reads published summaries only."""
    return _signed_in(request, "reviewer")


def current_admin(request: Request) -> User:
    """Accounts and the audit trail; no sessions."""
    return _signed_in(request, "admin")


def current_participant(request: Request) -> Participant:
    with reader(get_engine(request)) as db:
        person = services.participant_by_token(db, request.cookies.get(PARTICIPANT_COOKIE))
    if person is None:
        raise HTTPException(status_code=303, headers={"Location": "/"})
    return person


def shared_session(request: Request, user: Annotated[User, Depends(current_facilitator)]) -> None:
    """A staff route with a session code in its path opens only for the session's owner and its
    co-facilitators (app.access); anyone else gets a clear 403 before the route does anything."""
    code = request.path_params.get("code")
    if isinstance(code, str):
        with reader(get_engine(request)) as db:
            access.session_for(db, code, user)


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


@contextmanager
def reader(engine: Engine) -> Iterator[Db]:
    """A session that only reads (a flush is refused: changes are commands, app.commands)."""
    with Db(engine) as db:
        event.listen(db, "before_flush", _read_only)
        yield db


async def reading(request: Request, page: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
    """Build a page that reads the database from an async handler: in a worker thread, never on
    the event loop (a handler that ran a command renders the result this way)."""

    def run() -> R:
        with reader(get_engine(request)) as db:
            built: R = page(request, db, *args, **kwargs)
            return built

    return await run_in_threadpool(run)
