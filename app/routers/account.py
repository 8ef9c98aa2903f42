"""A person's own account, whatever the role: replacing a temporary password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import accounts, i18n
from app.commands.accounts import by
from app.deps import UserDep, WriterDep, signed_in_user
from app.domain import RuleError
from app.routers import signin
from app.web import templates

HOMES = {"facilitator": "/facilitator", "reviewer": "/review", "admin": "/admin"}
router = APIRouter(prefix="/account", tags=["account"], dependencies=[Depends(signed_in_user)])


def _page(request: Request, next: str, home: str, error: str = "") -> HTMLResponse:
    context = {"next": signin.local(next, home), "error": error}
    return templates.TemplateResponse(
        request, "account/password.html", context, status_code=400 if error else 200
    )


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, user: UserDep, next: str = "") -> HTMLResponse:
    return _page(request, next, HOMES.get(user.role, "/"))


@router.post("/password", response_model=None)
async def change_password(
    request: Request,
    writer: WriterDep,
    user: UserDep,
    password: Annotated[str, Form(max_length=200)],
    repeated: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    home = HOMES.get(user.role, "/")
    try:
        await writer.run(by, user, accounts.change_own_password, password, repeated)
    except RuleError as exc:
        return _page(request, next, home, i18n.refusal(exc))
    return RedirectResponse(signin.local(next, home), status_code=303)
