"""Signing in with a username and password, shared by the facilitator's and the reviewer's login."""

from __future__ import annotations

from typing import Annotated, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session as Db
from sqlmodel import select

from app import audit, auth, i18n, logins
from app.commands import accounts
from app.deps import get_writer, reading
from app.i18n import N_
from app.i18n.named import LOGIN
from app.models import User
from app.ratelimit import Limits
from app.web import templates

PASSWORD_PAGE = "/account/password"
LOGIN_FAILURES_PER_MINUTE = 10  # per client address and username: guessing a password gets nowhere


def local(path: str, home: str) -> str:
    """Only redirect within this site (no open redirect through ?next=)."""
    return path if path.startswith("/") and not path.startswith("//") else home


def form(
    request: Request,
    role: str,
    home: str,
    next: str,
    username: str = "",
    error: str = "",
    ended: bool = False,
    status: int = 401,
) -> HTMLResponse:
    settings = request.app.state.settings
    context = {
        "sso": settings.oidc_enabled,
        "sso_button": settings.oidc_button or i18n.gettext("Log ind med organisationens konto"),
        "passwords": settings.local_passwords,
        "role": role,
        "action": f"{home}/login",
        "heading": i18n.gettext(LOGIN[role]),
        "next": local(next, home),
        "username": username,
        "error": error,
        "ended": ended,
    }
    return templates.TemplateResponse(
        request, "facilitator/login.html", context, status_code=status if error else 200
    )


class Checked(NamedTuple):
    """A password checked against its account (in a worker thread: hashing is slow on purpose)."""

    user_id: int | None  # the account it opens, if any
    username: str  # the account's name, or the name as typed
    refusal: tuple[str, int] | None  # the login page's message (a msgid) and status
    new_hash: str | None  # an older hash, upgraded while the password is at hand
    temporary: bool = False  # set by an admin: replaced before anything else


def check(request: Request, db: Db, role: str, username: str, password: str) -> Checked:
    user = db.exec(select(User).where(User.username == username.strip())).first()
    if user is None:
        auth.waste_time(password)  # as slow as a wrong password: no hint which usernames exist
    if user is None or not auth.verify_password(password, user.password_hash) or user.role != role:
        return Checked(
            None, username.strip()[:80], (N_("Forkert brugernavn eller adgangskode"), 401), None
        )
    if user.disabled:  # told only to whoever knows the password
        return Checked(
            None, user.username, (N_("Kontoen er spærret. Kontakt en administrator."), 403), None
        )
    rehash = auth.hash_password(password) if auth.needs_rehash(user.password_hash) else None
    return Checked(user.id, user.username, None, rehash, user.password_temporary)


async def sign_in(
    request: Request, role: str, home: str, username: str, password: str, next: str
) -> Response:
    """A user of this role with the right password gets a new login; anyone else a 401, and after
    LOGIN_FAILURES_PER_MINUTE wrong tries from one address for one username, a 429 for a minute."""
    if not request.app.state.settings.local_passwords:
        refusal = i18n.gettext(
            "Log ind med organisationens konto; lokale adgangskoder er slået fra."
        )
        return form(request, role, home, next, username, refusal, status=403)
    client = request.client.host if request.client else ""
    failures: Limits = request.app.state.login_failures
    key = f"{client} {username.strip().lower()}"
    if await run_in_threadpool(failures.full, key):
        refusal = i18n.gettext("For mange forkerte forsøg. Vent et minut, og prøv igen.")
        return form(request, role, home, next, username, refusal, status=429)
    checked = await reading(request, check, role, username, password)
    writer = get_writer(request)
    if checked.refusal is not None:
        message, status = checked.refusal
        if status == 401:
            await run_in_threadpool(failures.hit, key)
        detail = f"{role} {client}" + (" disabled" if status == 403 else "")
        await writer.run(audit.entry, "", "login.failed", checked.username, detail)
        return form(request, role, home, next, username, i18n.gettext(message), status=status)
    assert checked.user_id is not None
    old = request.session.get(logins.TOKEN)
    token = await writer.run(
        accounts.log_in,
        checked.user_id,
        old if isinstance(old, str) else None,
        logins.now(request),
        f"{role} {client}",
        checked.new_hash,
    )
    remember(request, token)
    if checked.temporary:
        query = urlencode({"next": local(next, home)}, safe="/")
        return RedirectResponse(f"{PASSWORD_PAGE}?{query}", status_code=303)
    return RedirectResponse(local(next, home), status_code=303)


def remember(request: Request, token: str) -> None:
    """The new login's token in this browser's cookie: a fresh session, so a token planted
    before the login is worthless."""
    request.session.clear()
    request.session[logins.TOKEN] = token


def add_login_routes(router: APIRouter, role: str, home: str) -> None:
    """GET and POST {home}/login for one role (facilitator, reviewer or admin)."""

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = home, ended: bool = False) -> HTMLResponse:
        return form(request, role, home, next, ended=ended)

    @router.post("/login", response_model=None)
    async def login(
        request: Request,
        username: Annotated[str, Form(max_length=80)],
        password: Annotated[str, Form(max_length=200)],
        next: Annotated[str, Form(max_length=300)] = home,
    ) -> Response:
        return await sign_in(request, role, home, username, password, next)
