"""The admin: accounts (create, role, temporary password, disable, remove) and the audit trail.
Never sessions or summaries: an admin runs the installation, not the rooms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import accounts, audit, i18n
from app.deps import AdminDep, DbDep, current_admin
from app.domain import RuleError
from app.i18n import named
from app.models import User
from app.routers import signin
from app.web import templates

HOME = "/admin"
ROW_ID = 2**31 - 1
public = APIRouter(prefix=HOME, tags=["admin"])
signin.add_login_routes(public, "admin", HOME)
router = APIRouter(prefix=HOME, tags=["admin"], dependencies=[Depends(current_admin)])
DONE = i18n.Labels(named.ADMIN_DONE)
UserId = Annotated[int, Path(ge=1, le=ROW_ID)]


def _accounts(
    request: Request, db: DbDep, user: User, status: int = 200, **extra: object
) -> HTMLResponse:
    people = accounts.everyone(db)
    context = {
        "user": user,
        "people": people,
        "facilitators": [p for p in people if p.role == "facilitator" and not p.disabled],
        "roles": accounts.ROLES,
        "done": DONE.get(request.query_params.get("done", ""), ""),
        "shown_password": None,
        "error": "",
        **extra,
    }
    return templates.TemplateResponse(request, "admin/accounts.html", context, status_code=status)


@router.get("", response_class=HTMLResponse)
def accounts_page(request: Request, db: DbDep, user: AdminDep) -> HTMLResponse:
    return _accounts(request, db, user)


def _act(
    request: Request, db: DbDep, user: User, done: str, command: Callable[[], object]
) -> Response:
    try:
        command()
    except RuleError as exc:
        db.rollback()
        return _accounts(request, db, user, 400, error=i18n.refusal(exc))
    return RedirectResponse(f"{HOME}?done={done}", status_code=303)


@router.post("/accounts", response_model=None)
def create_account(
    request: Request,
    db: DbDep,
    user: AdminDep,
    username: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "facilitator",
) -> Response:
    """The temporary password is shown on this page once; it is replaced at the first login."""
    try:
        made, password = accounts.create(db, user, username, role)
    except RuleError as exc:
        db.rollback()
        return _accounts(request, db, user, 400, error=i18n.refusal(exc))
    return _accounts(request, db, user, shown_password=(made.username, password))


@router.post("/accounts/{user_id}/password", response_model=None)
def new_password(request: Request, user_id: UserId, db: DbDep, user: AdminDep) -> Response:
    try:
        changed, password = accounts.new_password(db, user, user_id)
    except RuleError as exc:
        db.rollback()
        return _accounts(request, db, user, 400, error=i18n.refusal(exc))
    return _accounts(request, db, user, shown_password=(changed.username, password))


@router.post("/accounts/{user_id}/role", response_model=None)
def change_role(
    request: Request,
    user_id: UserId,
    db: DbDep,
    user: AdminDep,
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    return _act(request, db, user, "role", lambda: accounts.set_role(db, user, user_id, role))


@router.post("/accounts/{user_id}/disable", response_model=None)
def disable(
    request: Request,
    user_id: UserId,
    db: DbDep,
    user: AdminDep,
    disabled: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    off = bool(disabled)
    return _act(
        request,
        db,
        user,
        "disabled" if off else "enabled",
        lambda: accounts.set_disabled(db, user, user_id, off),
    )


@router.post("/accounts/{user_id}/remove", response_model=None)
def remove(
    request: Request,
    user_id: UserId,
    db: DbDep,
    user: AdminDep,
    successor: Annotated[int | None, Form(ge=1, le=ROW_ID)] = None,
    confirm: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    def command() -> None:
        if not confirm:
            raise RuleError("account.confirm_remove")
        accounts.remove_other(db, user, user_id, successor)

    return _act(request, db, user, "removed", command)


# The audit trail -----------------------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, db: DbDep, user: AdminDep) -> HTMLResponse:
    context = {"user": user, "events": audit.recent(db, 500), "actions": audit.ACTIONS}
    return templates.TemplateResponse(request, "admin/audit.html", context)


@router.get("/audit.csv")
def audit_csv(db: DbDep, user: AdminDep) -> Response:
    body = audit.to_csv(audit.recent(db, None))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="sparring-audit.csv"'},
    )
