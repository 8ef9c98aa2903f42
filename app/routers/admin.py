"""The admin: accounts (create, role, temporary password, disable, remove) and the audit trail.
Never sessions or summaries: an admin runs the installation, not the rooms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session as Db

from app import accounts, audit, i18n
from app.commands.accounts import by
from app.deps import AdminDep, DbDep, current_admin, get_writer, reading
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
    request: Request, db: Db, user: User, status: int = 200, **extra: object
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


async def _act(
    request: Request, user: User, action: Callable[..., object], *args: object
) -> tuple[object, Response | None]:
    """Run an accounts action as this admin: its result, or the page again with the reason."""
    try:
        return await get_writer(request).run(by, user, action, *args), None
    except RuleError as exc:
        return None, await reading(request, _accounts, user, 400, error=i18n.refusal(exc))


async def _done(
    request: Request, user: User, done: str, action: Callable[..., object], *args: object
) -> Response:
    _, refused = await _act(request, user, action, *args)
    return refused or RedirectResponse(f"{HOME}?done={done}", status_code=303)


async def _shown(
    request: Request, user: User, action: Callable[..., tuple[User, str]], *args: object
) -> Response:
    """The temporary password is shown on this page once; it is replaced at the first login."""
    made, refused = await _act(request, user, action, *args)
    if refused is not None:
        return refused
    assert isinstance(made, tuple)
    account, password = made
    return await reading(request, _accounts, user, shown_password=(account.username, password))


@router.post("/accounts", response_model=None)
async def create_account(
    request: Request,
    user: AdminDep,
    username: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "facilitator",
) -> Response:
    return await _shown(request, user, accounts.create, username, role)


@router.post("/accounts/{user_id}/password", response_model=None)
async def new_password(request: Request, user_id: UserId, user: AdminDep) -> Response:
    return await _shown(request, user, accounts.new_password, user_id)


@router.post("/accounts/{user_id}/role", response_model=None)
async def change_role(
    request: Request,
    user_id: UserId,
    user: AdminDep,
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    return await _done(request, user, "role", accounts.set_role, user_id, role)


@router.post("/accounts/{user_id}/disable", response_model=None)
async def disable(
    request: Request,
    user_id: UserId,
    user: AdminDep,
    disabled: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    off = bool(disabled)
    done = "disabled" if off else "enabled"
    return await _done(request, user, done, accounts.set_disabled, user_id, off)


@router.post("/accounts/{user_id}/remove", response_model=None)
async def remove(
    request: Request,
    user_id: UserId,
    user: AdminDep,
    successor: Annotated[int | None, Form(ge=1, le=ROW_ID)] = None,
    confirm: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    if not confirm:
        refusal = i18n.refusal(RuleError("account.confirm_remove"))
        return await reading(request, _accounts, user, 400, error=refusal)
    return await _done(request, user, "removed", accounts.remove_other, user_id, successor)


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
