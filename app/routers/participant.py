"""Phones: join with a code (no account), then one live page."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session as Db

from app import auth, i18n, services
from app.commands import phone as phone_commands
from app.deps import (
    DEVICE_COOKIE,
    PARTICIPANT_COOKIE,
    DbDep,
    ParticipantDep,
    SettingsDep,
    WriterDep,
)
from app.domain import RuleError, codes, visibility
from app.domain.phases import Status
from app.models import Participant, Session
from app.ratelimit import Limits
from app.room import load_answers, load_room
from app.web import render, templates

router = APIRouter(tags=["participant"])

JOIN_FAILURES_PER_MINUTE = 20  # per client address; a room behind one router still joins


def _join_page(
    request: Request,
    code: str = "",
    alias: str = "",
    error: str = "",
    status: int = 200,
    left: bool = False,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "participant/join.html",
        {"code": code, "alias": alias, "error": error, "left": left},
        status_code=status,
    )


def _own(request: Request, db: Db) -> tuple[Participant, Session] | None:
    """The participant this browser already is (its cookie), with its session."""
    person = services.participant_by_token(db, request.cookies.get(PARTICIPANT_COOKIE))
    session = db.get(Session, person.session_id) if person is not None else None
    return (person, session) if person is not None and session is not None else None


def _back_or_form(request: Request, db: Db, code: str) -> Response:
    """A phone that already belongs to the session goes back to its own place; others join.

    Closing the tab and scanning the QR code again, opening the start page or typing the code
    again must not make a second participant of one person.
    """
    own = _own(request, db)
    if own is not None:
        person, session = own
        mine = codes.normalise(code) == session.code if code else session.status != Status.ENDED
        if mine and person.left_at is None:
            return RedirectResponse("/p", status_code=303)
        if mine:  # left on purpose or removed: the same person may join again
            return _join_page(request, code=session.code, alias=person.alias, left=True)
    return _join_page(request, code=code[:12])


@router.get("/privatliv", response_class=HTMLResponse)
def privacy_notice(request: Request, settings: SettingsDep) -> HTMLResponse:
    """What is kept about a participant, who sees it, and for how long (the information duty)."""
    context = {
        "days": settings.retention_days,
        "threshold": settings.anonymity_threshold,
        "contact": settings.privacy_contact,
    }
    return templates.TemplateResponse(request, "participant/privacy.html", context)


@router.get("/", response_model=None)
def join_form(request: Request, db: DbDep, code: str = "") -> Response:
    return _back_or_form(request, db, code)


@router.get("/j/{code}", response_model=None)
def join_link(request: Request, db: DbDep, code: str) -> Response:
    """Where the QR code points: the join form with the code filled in (or the phone's own place)."""
    return _back_or_form(request, db, code)


@router.post("/join", response_model=None)
async def join(
    request: Request,
    settings: SettingsDep,
    writer: WriterDep,
    code: Annotated[str, Form(max_length=100)] = "",
    alias: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    failures: Limits = request.app.state.join_failures
    client = request.client.host if request.client else ""
    if await asyncio.to_thread(failures.full, client):  # Redis, when replicas share it
        # Wrong codes are counted per client: guessing codes to find live sessions gets nowhere.
        return _join_page(
            request,
            code=code[:12],
            alias=alias[:40],
            error=i18n.gettext(
                "For mange forsøg med en forkert kode. Vent et minut, og prøv igen."
            ),
            status=429,
        )
    device = request.cookies.get(DEVICE_COOKIE, "") or auth.new_token()
    try:
        token = await writer.run(
            phone_commands.join,
            code,
            alias,
            auth.token_hash(device),
            request.cookies.get(PARTICIPANT_COOKIE),
        )
    except RuleError as exc:
        await asyncio.to_thread(failures.hit, client)
        return _join_page(
            request, code=code[:12], alias=alias[:40], error=i18n.refusal(exc), status=400
        )
    response = RedirectResponse("/p", status_code=303)
    response.set_cookie(
        PARTICIPANT_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=60 * 60 * 24,
    )
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=60 * 60 * 24 * 400,
    )
    return response


@router.get("/p", response_model=None)
def phone(request: Request, db: DbDep, person: ParticipantDep) -> Response:
    session = db.get(Session, person.session_id)
    assert session is not None  # a participant row always has its session
    if person.left_at is not None:  # left: the join page offers to come back
        return RedirectResponse(f"/j/{session.code}", status_code=303)
    return templates.TemplateResponse(
        request, "participant/phone.html", {"room": load_room(db, session), "person": person}
    )


@router.get("/p/svar", response_model=None)
def all_answers(
    request: Request,
    db: DbDep,
    person: ParticipantDep,
    side: Annotated[str, Query(max_length=6)] = "1",
) -> Response:
    """Every group's answer to the current case, a screenful at a time: a larger room's reveal
    shows each phone its own group's answer and links here (app/domain/visibility.py). Only the
    person's own session, only while its phones show the results; read, never written."""
    session = db.get(Session, person.session_id)
    assert session is not None  # a participant row always has its session
    if person.left_at is not None:  # left: the join page offers to come back
        return RedirectResponse(f"/j/{session.code}", status_code=303)
    room = load_answers(db, session)
    context: dict[str, object] = {"room": room, "person": person}
    if not room.phone_shows_results:
        context["refusal"] = (
            i18n.gettext("Resultatet vises på skærmen.")
            if not session.results_on_phones
            else i18n.gettext("Gruppernes svar kan ses her, når resultatet vises.")
        )
        return templates.TemplateResponse(
            request, "participant/answers.html", context, status_code=404
        )
    pages = visibility.answer_pages(len(room.groups))
    page = max(1, min(int(side) if side.isdigit() else 1, pages))
    context.update(groups=room.answer_page(page), page=page, pages=pages)
    return templates.TemplateResponse(request, "participant/answers.html", context)


@router.post("/p/leave", response_model=None)
async def leave(writer: WriterDep, person: ParticipantDep) -> Response:
    """Leave on purpose: out of the counts and the group; the cookie stays, so joining again with
    the code brings the same person back (and the summary counts them once)."""
    assert person.id is not None
    code = await writer.run(phone_commands.leave, person.id)
    return RedirectResponse(f"/j/{code}", status_code=303)


DILEMMA_FORM = "participant/partials/dilemma_form.html"


@router.post("/p/dilemma", response_class=HTMLResponse)
async def submit_dilemma(
    request: Request,
    writer: WriterDep,
    person: ParticipantDep,
    text: Annotated[str, Form(max_length=4000)] = "",
    duties: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    """Kollegasparring: an own dilemma, stored without anything that points back to this phone."""
    assert person.id is not None
    tags = (duties or [])[:7]
    known = request.app.state.library.context["duties"]
    try:
        await writer.run(phone_commands.submit_dilemma, person.id, text, tags, known)
    except RuleError as exc:
        context = {"error": i18n.refusal(exc), "draft": text[:2000], "tags": tags}
        return HTMLResponse(render(DILEMMA_FORM, session_id=person.session_id, **context))
    return HTMLResponse(render(DILEMMA_FORM, session_id=person.session_id, sent=True))
