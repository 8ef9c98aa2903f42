"""Signing in with a username and password, shared by the facilitator's and the reviewer's login."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session as Db
from sqlmodel import select

from app import audit, auth, i18n, logins
from app.deps import DbDep
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


def sign_in(
    request: Request, db: Db, role: str, home: str, username: str, password: str, next: str
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
    if failures.full(key):
        refusal = i18n.gettext("For mange forkerte forsøg. Vent et minut, og prøv igen.")
        return form(request, role, home, next, username, refusal, status=429)
    user = db.exec(select(User).where(User.username == username.strip())).first()
    if user is None:
        auth.waste_time(password)  # as slow as a wrong password: no hint which usernames exist
    if user is None or not auth.verify_password(password, user.password_hash) or user.role != role:
        failures.hit(key)
        audit.record(db, "", "login.failed", username.strip()[:80], f"{role} {client}")
        refusal = i18n.gettext("Forkert brugernavn eller adgangskode")
        return form(request, role, home, next, username, refusal)
    if user.disabled:  # told only to whoever knows the password
        audit.record(db, "", "login.failed", user.username, f"{role} {client} disabled")
        refusal = i18n.gettext("Kontoen er spærret. Kontakt en administrator.")
        return form(request, role, home, next, username, refusal, status=403)
    if auth.needs_rehash(user.password_hash):  # an older hash: upgraded while the password is here
        user.password_hash = auth.hash_password(password)
        db.add(user)
    audit.add(db, user, "login.succeeded", user.username, f"{role} {client}")
    start(request, db, user)
    if user.password_temporary:  # set by an admin: replaced before anything else
        query = urlencode({"next": local(next, home)}, safe="/")
        return RedirectResponse(f"{PASSWORD_PAGE}?{query}", status_code=303)
    return RedirectResponse(local(next, home), status_code=303)


def start(request: Request, db: Db, user: User) -> None:
    """A new login for the user in this browser (a password's or the organisation's), committed."""
    old = request.session.get(logins.TOKEN)
    if isinstance(old, str):
        logins.end(db, old)
    moment = logins.now(request)
    token = logins.start(db, user, moment)
    user.last_login_at = moment
    db.add(user)
    db.commit()
    request.session.clear()
    request.session[logins.TOKEN] = token  # a fresh token: one planted before login is worthless


def add_login_routes(router: APIRouter, role: str, home: str) -> None:
    """GET and POST {home}/login for one role (facilitator, reviewer or admin)."""

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = home, ended: bool = False) -> HTMLResponse:
        return form(request, role, home, next, ended=ended)

    @router.post("/login", response_model=None)
    def login(
        request: Request,
        db: DbDep,
        username: Annotated[str, Form(max_length=80)],
        password: Annotated[str, Form(max_length=200)],
        next: Annotated[str, Form(max_length=300)] = home,
    ) -> Response:
        return sign_in(request, db, role, home, username, password, next)
