"""Signing in with a username and password, shared by the facilitator's and the reviewer's login."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session as Db
from sqlmodel import select

from app import auth
from app.deps import DbDep
from app.models import User
from app.web import templates

HEADINGS = {"facilitator": "Log ind som facilitator", "reviewer": "Log ind som leder (læseadgang)"}


def local(path: str, home: str) -> str:
    """Only redirect within this site (no open redirect through ?next=)."""
    return path if path.startswith("/") and not path.startswith("//") else home


def form(
    request: Request, role: str, home: str, next: str, username: str = "", error: str = ""
) -> HTMLResponse:
    context = {
        "action": f"{home}/login",
        "heading": HEADINGS[role],
        "next": local(next, home),
        "username": username,
        "error": error,
    }
    return templates.TemplateResponse(
        request, "facilitator/login.html", context, status_code=401 if error else 200
    )


def sign_in(
    request: Request, db: Db, role: str, home: str, username: str, password: str, next: str
) -> Response:
    """A user of this role with the right password gets the session cookie; anyone else a 401."""
    user = db.exec(select(User).where(User.username == username.strip())).first()
    if user is None or user.role != role or not auth.verify_password(password, user.password_hash):
        return form(request, role, home, next, username, "Forkert brugernavn eller adgangskode")
    request.session["user_id"] = user.id
    return RedirectResponse(local(next, home), status_code=303)


def add_login_routes(router: APIRouter, role: str, home: str) -> None:
    """GET and POST {home}/login for one role (facilitator or reviewer)."""

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = home) -> HTMLResponse:
        return form(request, role, home, next)

    @router.post("/login", response_model=None)
    def login(
        request: Request,
        db: DbDep,
        username: Annotated[str, Form(max_length=80)],
        password: Annotated[str, Form(max_length=200)],
        next: Annotated[str, Form(max_length=300)] = home,
    ) -> Response:
        return sign_in(request, db, role, home, username, password, next)
