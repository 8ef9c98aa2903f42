"""The big screen: opened by the facilitator, shows no identities (its events carry none)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from app import access, views
from app.deps import (
    DbDep,
    FacilitatorDep,
    SettingsDep,
    current_facilitator,
    public_base,
    shared_session,
)
from app.room import load_room
from app.web import templates

router = APIRouter(
    prefix="/projector",
    tags=["projector"],
    dependencies=[Depends(current_facilitator), Depends(shared_session)],
)


@router.get("/{code}", response_class=HTMLResponse)
def projector_page(
    request: Request, code: str, db: DbDep, user: FacilitatorDep, settings: SettingsDep
) -> HTMLResponse:
    session = access.session_for(db, code, user)
    context = {
        "room": load_room(db, session),
        **views.join_links(public_base(settings, str(request.base_url)), session.code),
    }
    return templates.TemplateResponse(request, "projector/projector.html", context)
