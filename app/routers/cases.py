"""The facilitator's case library: search and filter, preview, authoring, import and export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from app import authoring, i18n, services
from app.commands import library as edits
from app.deps import DbDep, FacilitatorDep, WriterDep, current_facilitator
from app.domain import RuleError
from app.domain.phases import Format, Phase, sequence
from app.library import CaseFile, Library
from app.models import LibraryCase, Participant, Session, User
from app.room import Room
from app.security import content_security_policy
from app.web import templates

router = APIRouter(
    prefix="/facilitator/library",
    tags=["facilitator"],
    dependencies=[Depends(current_facilitator)],
)

MAX_UPLOAD = 2 * 1024 * 1024


def _lib(request: Request) -> Library:
    library: Library = request.app.state.library
    return library


def _matches(case: LibraryCase, words: list[str]) -> bool:
    haystack = " ".join(
        [case.title, case.text, case.question, *case.options, *case.prompts, case.slug]
    ).lower()
    return all(word in haystack for word in words)


@router.get("", response_class=HTMLResponse)
def library_page(
    request: Request,
    db: DbDep,
    user: FacilitatorDep,
    q: str = "",
    duty: str = "",
    set: str = "",
    archived: str = "",
) -> HTMLResponse:
    query = select(LibraryCase).order_by(col(LibraryCase.case_set), col(LibraryCase.number))
    if duty:
        query = query.where(LibraryCase.duty == duty)
    if set:
        query = query.where(LibraryCase.case_set == set)
    query = query.where(col(LibraryCase.archived).is_(bool(archived)))
    words = q.lower().split()[:10]
    cases = [c for c in db.exec(query).all() if _matches(c, words)]
    lib = _lib(request)
    context = {
        "user": user,
        "cases": cases,
        "lib": lib,
        "sets": {s.slug: s for s in lib.sets},
        "q": q[:200],
        "duty": duty,
        "set": set,
        "archived": archived,
    }
    return templates.TemplateResponse(request, "facilitator/library.html", context)


# Authoring ----------------------------------------------------------------------------------------


def _form_page(
    request: Request,
    user: User,
    case: CaseFile | None,
    action: str,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    context = {"user": user, "case": case, "action": action, "error": error, "lib": _lib(request)}
    return templates.TemplateResponse(
        request, "facilitator/case_form.html", context, status_code=status
    )


async def _posted(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    data["secondary_duties"] = [v for v in form.getlist("secondary_duties") if isinstance(v, str)]
    return authoring.form_data(data)


def _draft(data: dict[str, Any]) -> CaseFile:
    """What the person typed, shown again with the refusal (never lost)."""
    return CaseFile.model_construct(**data, slug="", number=0)


@router.get("/new", response_class=HTMLResponse)
def new_case(request: Request, user: FacilitatorDep) -> HTMLResponse:
    return _form_page(request, user, None, "/facilitator/library/new")


@router.post("/new", response_model=None)
async def create_case(request: Request, writer: WriterDep, user: FacilitatorDep) -> Response:
    data = await _posted(request)
    try:
        slug = await writer.run(edits.create, _lib(request), data)
    except RuleError as exc:
        if not exc.in_form:
            raise
        return _form_page(
            request, user, _draft(data), "/facilitator/library/new", i18n.refusal(exc), 400
        )
    return RedirectResponse(f"/facilitator/library/{slug}", status_code=303)


@router.get("/{slug}/edit", response_class=HTMLResponse)
def edit_case(request: Request, slug: str, db: DbDep, user: FacilitatorDep) -> HTMLResponse:
    row = authoring.get_case(db, slug)
    return _form_page(
        request, user, CaseFile.from_row(row), f"/facilitator/library/{row.slug}/edit"
    )


@router.post("/{slug}/edit", response_model=None)
async def update_case(
    request: Request, slug: str, writer: WriterDep, user: FacilitatorDep
) -> Response:
    data = await _posted(request)
    try:
        slug = await writer.run(edits.update, _lib(request), slug, data)
    except RuleError as exc:
        if not exc.in_form:
            raise
        action = f"/facilitator/library/{slug}/edit"
        return _form_page(request, user, _draft(data), action, i18n.refusal(exc), 400)
    return RedirectResponse(f"/facilitator/library/{slug}", status_code=303)


@router.post("/{slug}/duplicate")
async def duplicate_case(slug: str, writer: WriterDep) -> RedirectResponse:
    copy = await writer.run(edits.duplicate, slug)
    return RedirectResponse(f"/facilitator/library/{copy}/edit", status_code=303)


@router.post("/{slug}/archive")
async def archive_case(
    slug: str, writer: WriterDep, restore: Annotated[str, Form(max_length=5)] = ""
) -> RedirectResponse:
    slug = await writer.run(edits.archive, slug, not restore)
    return RedirectResponse(f"/facilitator/library/{slug}", status_code=303)


# Export and import --------------------------------------------------------------------------------


@router.get("/export/{set_slug}.yaml")
def export_set(request: Request, set_slug: str, db: DbDep) -> Response:
    body = authoring.export_set(db, _lib(request), set_slug)
    return Response(
        body,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="sparring-{set_slug}.yaml"'},
    )


@router.post("/import", response_class=HTMLResponse)
async def import_set(
    request: Request, writer: WriterDep, user: FacilitatorDep, file: Annotated[UploadFile, File()]
) -> HTMLResponse:
    raw = await file.read(MAX_UPLOAD + 1)
    context: dict[str, object] = {"user": user, "filename": file.filename or ""}
    status = 200
    try:
        if len(raw) > MAX_UPLOAD:
            raise RuleError("import.too_big", most=MAX_UPLOAD // (1024 * 1024))
        report = await writer.run(edits.import_set, _lib(request), raw)
        context["report"] = report
    except RuleError as exc:
        context["error"], status = i18n.refusal(exc), 400
    return templates.TemplateResponse(
        request, "facilitator/import_report.html", context, status_code=status
    )


# Preview: the real phone and projector templates, rendered from a room that exists nowhere --------


def preview_room(case: LibraryCase, fmt: Format, phase: Phase) -> Room:
    session = Session(
        id=0, code="VIS123", title=i18n.gettext("Forhåndsvisning"), format=fmt, status="running"
    )
    session.position = 0
    copy = services.session_copy(case, 0, 0)
    copy.id, copy.phase = 0, phase
    copy.reveal_step = len(Phase)  # the result's last part, the case's perspective (no votes here)
    me = Participant(id=0, session_id=0, number=1, token_hash="", group_id=0)
    return Room(session=session, cases=[copy], groups=[], participants=[me])


def _preview_phase(case: LibraryCase, fmt: Format, phase: str) -> Phase:
    order = sequence(fmt, bool(case.options))
    wanted = Phase(phase) if phase in Phase.__members__.values() else Phase.PRESENT
    return wanted if wanted in order else Phase.PRESENT


def _fmt(raw: str) -> Format:
    return Format(raw) if raw in Format.__members__.values() else Format.DILEMMA


@router.get("/{slug}/preview/{screen}", response_class=HTMLResponse)
def preview(
    request: Request, slug: str, screen: str, db: DbDep, phase: str = "", format: str = ""
) -> HTMLResponse:
    """The phone (390 px) or the projector (1920 px) exactly as they render this case."""
    if screen not in ("phone", "projector"):
        raise RuleError("none.screen")
    row = authoring.get_case(db, slug)
    fmt = _fmt(format)
    room = preview_room(row, fmt, _preview_phase(row, fmt, phase))
    context = {
        "room": room,
        "person": room.participants[0],
        "join_url": "",
        "join_url_short": "",
        "qr_svg": "",
    }
    response = templates.TemplateResponse(request, f"facilitator/preview_{screen}.html", context)
    # Shown in frames on the case page of this same site (every other page refuses framing).
    policy = content_security_policy(request.headers.get("host", ""))
    response.headers["Content-Security-Policy"] = policy.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@router.get("/{slug}", response_class=HTMLResponse)
def case_page(
    request: Request,
    slug: str,
    db: DbDep,
    user: FacilitatorDep,
    phase: str = "present",
    format: str = "dilemma",
) -> HTMLResponse:
    row = authoring.get_case(db, slug)
    fmt = _fmt(format)
    context = {
        "user": user,
        "case": row,
        "fmt": fmt,
        "shown": _preview_phase(row, fmt, phase),
        "phases": sequence(fmt, bool(row.options)),
        "case_set": next((s for s in _lib(request).sets if s.slug == row.case_set), None),
    }
    return templates.TemplateResponse(request, "facilitator/case_page.html", context)
