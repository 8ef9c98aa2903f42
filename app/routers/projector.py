"""The big screen: opened by the facilitator, shows no identities (its events carry none)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from app import services, views
from app.deps import DbDep, SettingsDep, current_facilitator, public_base
from app.room import load_room
from app.web import templates

router = APIRouter(
    prefix="/projector", tags=["projector"], dependencies=[Depends(current_facilitator)]
)


@router.get("/{code}", response_class=HTMLResponse)
def projector_page(request: Request, code: str, db: DbDep, settings: SettingsDep) -> HTMLResponse:
    session = services.session_by_code(db, code)
    context = {
        "room": load_room(db, session),
        **views.join_links(public_base(settings, str(request.base_url)), session.code),
    }
    return templates.TemplateResponse(request, "projector/projector.html", context)
