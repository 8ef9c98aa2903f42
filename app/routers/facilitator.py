"""The facilitator: login, sessions, and the control panel's actions (htmx posts)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlmodel import Session as Db
from sqlmodel import col, select

from app import access, audit, export, i18n, logins, retention, submissions, summaries, views
from app.commands import control as buttons
from app.commands import sessions, summary
from app.commands.accounts import log_out
from app.config import Settings
from app.deps import (
    DbDep,
    FacilitatorDep,
    SettingsDep,
    WriterDep,
    current_facilitator,
    get_writer,
    reading,
    shared_session,
)
from app.domain import RuleError
from app.domain.phases import Phase, Status
from app.export import build as summary_build
from app.export.markdown import to_markdown
from app.i18n import named
from app.library import by_duty
from app.models import LibraryCase, SessionTemplate, User
from app.room import load_room
from app.routers import signin
from app.web import templates
from app.writer import Outcome, Writer

HOME = "/facilitator"
ROW_ID = (
    2**31 - 1
)  # the largest id a row can have; a larger number is refused as bad input, not a 500
public = APIRouter(prefix="/facilitator", tags=["facilitator"])
signin.add_login_routes(public, "facilitator", HOME)
log = logging.getLogger(__name__)

router = APIRouter(
    prefix="/facilitator",
    tags=["facilitator"],
    dependencies=[Depends(current_facilitator), Depends(shared_session)],
)


@public.post("/logout")
async def logout(request: Request, writer: WriterDep) -> RedirectResponse:
    token = request.session.get(logins.TOKEN)
    if isinstance(token, str):
        await writer.run(log_out, token)  # on the server: a copy of the cookie is refused now
    id_token = request.session.get("sso_id_token")
    request.session.clear()
    if isinstance(id_token, str):  # logged in with the organisation's account: its logout too
        request.session["sso_logout_hint"] = id_token
        return RedirectResponse("/sso/logout", status_code=303)
    return RedirectResponse("/facilitator/login", status_code=303)


# Sessions ---------------------------------------------------------------------------------------


def _dashboard(
    request: Request, db: DbDep, user: User, status: int = 200, **extra: object
) -> HTMLResponse:
    sessions = access.sessions_of(db, user)
    cases = db.exec(
        select(LibraryCase)
        .where(col(LibraryCase.archived).is_(False))
        .order_by(col(LibraryCase.case_set), col(LibraryCase.number))
    ).all()
    library = by_duty(request.app.state.library.duties, cases)
    context = {
        "user": user,
        "sessions": sessions,
        "library": library,
        "plans": db.exec(select(SessionTemplate).order_by(col(SessionTemplate.name))).all(),
        "plan": SessionTemplate(name=""),
        "picked": [],
        "form_title": "",
        "form_areas": "",
        "timer_phases": TIMER_PHASES,
        **extra,
    }
    return templates.TemplateResponse(
        request, "facilitator/dashboard.html", context, status_code=status
    )


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    db: DbDep,
    user: FacilitatorDep,
    template: Annotated[int | None, Query(ge=1, le=ROW_ID)] = None,
) -> HTMLResponse:
    """The sessions and the new-session form; `?template=ID` fills the form from a saved plan."""
    plan = db.get(SessionTemplate, template) if template else None
    if plan is None:
        return _dashboard(request, db, user)
    return _dashboard(request, db, user, plan=plan, picked=list(plan.slugs), form_title=plan.name)


TIMER_PHASES = (
    Phase.PRESENT,
    Phase.VOTE,
    Phase.DISCUSS,
    Phase.CLARIFY,
    Phase.REFLECT,
    Phase.GROUP_ANSWER,
)
"""The phases a session plan may give a timer (minutes in the form, seconds in the plan)."""


@router.post("/sessions", response_model=None)
async def create_session(
    request: Request,
    user: FacilitatorDep,
    writer: WriterDep,
    title: Annotated[str, Form(max_length=1000)] = "",
    group_size: Annotated[int, Form()] = 4,
    cases: Annotated[list[str] | None, Form()] = None,
    format: Annotated[str, Form(max_length=30)] = "dilemma",
    save_template: Annotated[str, Form(max_length=5)] = "",
    areas: Annotated[str, Form(max_length=2000)] = "",
    results: Annotated[str, Form(max_length=20)] = "phones",
    group_cases: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    slugs = cases or []
    form = await request.form()
    plan = sessions.Plan(
        title=title,
        slugs=slugs,
        group_size=group_size,
        format=format,
        minutes={p.value: str(form.get(f"timer_{p}", "") or "")[:10] for p in TIMER_PHASES},
        areas=areas,
        results_on_phones=results != "projector",
        group_cases=bool(group_cases),
        save_template=bool(save_template),
    )
    try:
        code = await writer.run(sessions.create, user, plan)
    except RuleError as exc:
        if not exc.in_form:
            raise
        again = SessionTemplate(name="", format=format[:30], group_size=group_size, timers={})
        return await reading(
            request,
            _dashboard,
            user,
            400,
            error=i18n.refusal(exc),
            picked=slugs,
            form_title=title[:200],
            plan=again,
            form_areas=areas[:2000],
        )
    return RedirectResponse(f"/facilitator/sessions/{code}", status_code=303)


def _control_page(
    request: Request, db: Db, code: str, user: User, status: int = 200, share_error: str = ""
) -> HTMLResponse:
    session = access.session_for(db, code, user)
    done = "" if share_error else request.query_params.get("shared", "")
    context = {
        "user": user,
        "room": load_room(db, session),
        "owner": access.part_in(db, session, user.id) is access.Part.OWNER,
        "co_facilitators": access.co_facilitators(db, session),
        "share_done": SHARED.get(done, ""),
        "share_error": share_error,
    }
    return templates.TemplateResponse(
        request, "facilitator/control.html", context, status_code=status
    )


@router.get("/sessions/{code}", response_class=HTMLResponse)
def control(request: Request, code: str, db: DbDep, user: FacilitatorDep) -> HTMLResponse:
    return _control_page(request, db, code, user)


# Sharing: the owner adds and removes co-facilitators by name (app.access).

SHARED = i18n.Labels(named.SHARE_DONE)


@router.post("/sessions/{code}/share", response_model=None)
async def share(
    request: Request,
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    username: Annotated[str, Form(max_length=200)] = "",
    remove: Annotated[int | None, Form(ge=1, le=ROW_ID)] = None,
) -> Response:
    try:
        await writer.run(buttons.share, code, user, username, remove)
    except RuleError as exc:
        if not exc.in_form:
            raise
        return await reading(request, _control_page, code, user, 400, i18n.refusal(exc))
    done = "removed" if remove is not None else "added"
    return RedirectResponse(f"/facilitator/sessions/{code}?shared={done}", status_code=303)


# Control actions: each answers with the flash fragment; the new state arrives over the websocket.


async def _act(
    writer: Writer, command: Callable[..., Outcome[None]], *args: object
) -> HTMLResponse:
    """Run one control command (app.commands.control), or show why it was refused."""
    try:
        await writer.run(command, *args)
    except RuleError as exc:
        return _refused(exc)
    return HTMLResponse(views.facilitator_flash(""))


def _refused(exc: RuleError) -> HTMLResponse:
    # 200 so htmx swaps the message in; the message says what was expected.
    return HTMLResponse(views.facilitator_flash(i18n.refusal(exc)))


@router.post("/sessions/{code}/start")
async def start(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    seen: Annotated[str, Form(max_length=30)] = "",  # the status the page showed (start_came_late)
) -> HTMLResponse:
    return await _act(writer, buttons.start, code, user, seen)


@router.post("/sessions/{code}/phase")
async def phase(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    action: Annotated[str, Form(max_length=20)],
    force: Annotated[str, Form(max_length=5)] = "",
    seen: Annotated[str, Form(max_length=30)] = "",  # the phase the page showed (came_late)
) -> HTMLResponse:
    return await _act(writer, buttons.change_phase, code, user, action, bool(force), seen)


@router.post("/sessions/{code}/step")
async def step(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    step: Annotated[int, Form(ge=0, le=1000)],
) -> HTMLResponse:
    """Show another part of the result on the projector."""
    return await _act(writer, buttons.show_step, code, user, step)


@router.post("/sessions/{code}/next-case")
async def next_case(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    mode: Annotated[str, Form(max_length=20)] = "keep",
    seen: Annotated[int | None, Form(ge=0, le=10_000)] = None,  # the case the page showed
) -> HTMLResponse:
    return await _act(writer, buttons.next_case, code, user, mode, seen)


@router.post("/sessions/{code}/timer")
async def timer(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    seconds: Annotated[str, Form(max_length=10)] = "",
    extend: Annotated[str, Form(max_length=5)] = "",
) -> HTMLResponse:
    return await _act(writer, buttons.set_timer, code, user, seconds, bool(extend))


@router.post("/sessions/{code}/end")
async def end(
    code: str, user: FacilitatorDep, writer: WriterDep, settings: SettingsDep
) -> HTMLResponse:
    try:
        await writer.run(buttons.end, code, user)
        # Its own batch: the room is told the session ended before the summary is built.
        await writer.run(buttons.freeze_summary, code, user, settings)
    except RuleError as exc:
        return _refused(exc)
    return HTMLResponse(views.facilitator_flash(""))


@router.post("/sessions/{code}/regroup")
async def regroup(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    mode: Annotated[str, Form(max_length=20)] = "random",
    # The groups the page showed, their ids comma separated (grouping.regroup_came_late).
    seen: Annotated[str, Form(max_length=20_000)] = "",
) -> HTMLResponse:
    shown = [int(part) for part in seen.split(",") if part.isdecimal() and len(part) <= 12]
    return await _act(writer, buttons.regroup, code, user, mode, shown)


@router.post("/sessions/{code}/move")
async def move(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    participant: Annotated[int, Form(ge=1, le=100000)],
    group: Annotated[int, Form(ge=1, le=10000)],
) -> HTMLResponse:
    return await _act(writer, buttons.move, code, user, participant, group)


@router.post("/sessions/{code}/assign")
async def assign_case(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    group: Annotated[int, Form(ge=1, le=10000)],
    submission: Annotated[int, Form(ge=0, le=ROW_ID)] = 0,
    slug: Annotated[str, Form(max_length=120)] = "",
) -> HTMLResponse:
    """Kollegasparring with own cases: a group without a case gets a submitted or library case."""
    return await _act(writer, buttons.assign_case, code, user, group, submission, slug)


@router.post("/sessions/{code}/give-follow-up")
async def give_follow_up(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    case: Annotated[int, Form(ge=1, le=ROW_ID)],
    group: Annotated[int, Form(ge=1, le=10000)],
) -> HTMLResponse:
    """An open case whose case-giver came on a new phone goes to their group, to be claimed."""
    return await _act(writer, buttons.give_follow_up, code, user, case, group)


@router.post("/sessions/{code}/merge")
async def merge_groups(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    source: Annotated[int, Form(ge=1, le=10000)],
    target: Annotated[int, Form(ge=1, le=10000)],
) -> HTMLResponse:
    return await _act(writer, buttons.merge_groups, code, user, source, target)


@router.post("/sessions/{code}/next-meeting", response_model=None)
async def next_meeting(
    request: Request, code: str, user: FacilitatorDep, writer: WriterDep
) -> Response:
    """The series' next meeting, with the cases its case-givers kept open."""
    try:
        new_code = await writer.run(buttons.next_meeting, code, user)
    except RuleError as exc:
        if not exc.in_form:
            raise
        return await reading(request, _dashboard, user, 400, error=i18n.refusal(exc))
    return RedirectResponse(f"/facilitator/sessions/{new_code}", status_code=303)


@router.post("/sessions/{code}/remove")
async def remove(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    participant: Annotated[int, Form(ge=1, le=100000)],
) -> HTMLResponse:
    """Take a participant who has gone out of the counts and their group (their rows stay)."""
    return await _act(writer, buttons.remove, code, user, participant)


@router.post("/sessions/{code}/hide")
async def hide(
    code: str,
    user: FacilitatorDep,
    writer: WriterDep,
    kind: Annotated[str, Form(max_length=10)],
    id: Annotated[int, Form(ge=1, le=ROW_ID)],
    hidden: Annotated[str, Form(max_length=5)] = "",
) -> HTMLResponse:
    return await _act(writer, buttons.hide, code, user, kind, id, bool(hidden))


@router.get("/sessions/{code}/draft", response_class=HTMLResponse)
def draft_summary(
    request: Request, code: str, db: DbDep, settings: SettingsDep, user: FacilitatorDep
) -> HTMLResponse:
    """The anonymised summary as it would be now, built by the same rules; nothing is stored."""
    session = access.session_for(db, code, user)
    duty_names = {slug: d.name_da for slug, d in request.app.state.library.duty_map().items()}
    draft = summary_build.build(db, session, settings.anonymity_threshold, duty_names)
    context = {"user": user, "session": session, "draft": draft, "markdown": to_markdown(draft)}
    return templates.TemplateResponse(request, "facilitator/draft.html", context)


# After the session: the summary page, closing notes, publishing, purging raw rows.


@router.get("/sessions/{code}/summary.{fmt}", response_model=None)
async def download_summary(
    request: Request,
    code: str,
    fmt: str,
    writer: WriterDep,
    user: FacilitatorDep,
    settings: SettingsDep,
) -> Response:
    response = await reading(request, _download, code, fmt, user, settings)
    if response.status_code == 200:
        await writer.run(audit.entry, user, "summary.downloaded", code, fmt[:10])
    return response


def _download(
    request: Request, db: Db, code: str, fmt: str, user: User, settings: Settings
) -> Response:
    session = access.session_for(db, code, user)
    if Status(session.status) is not Status.ENDED:
        return PlainTextResponse(
            i18n.gettext("Opsummeringen kan hentes, når sessionen er afsluttet."), status_code=409
        )
    return export.response(summaries.summary_of(db, session, settings), session.code, fmt)


def _summary_page(
    request: Request,
    db: Db,
    settings: Settings,
    user: User,
    code: str,
    refusal: RuleError | None = None,
) -> Response:
    """The summary page; with a refusal, the page again with its reason beside the form."""
    session = access.session_for(db, code, user)
    if Status(session.status) is not Status.ENDED:
        if refusal is not None:
            raise refusal  # the error page says why
        return RedirectResponse(f"/facilitator/sessions/{session.code}", status_code=303)
    extra = {"error": i18n.refusal(refusal)} if refusal is not None else {}
    context = {
        "user": user,
        "session": session,
        "summary": summaries.summary_of(db, session, settings),
        "retention_days": settings.retention_days,
        "owner": access.part_in(db, session, user.id) is access.Part.OWNER,
        "reviewers": access.reviewers(db),
        "readers": set(access.readers(db, session)),
        **extra,
    }
    status = 400 if "error" in extra else 200
    return templates.TemplateResponse(
        request, "facilitator/summary.html", context, status_code=status
    )


@router.get("/sessions/{code}/summary", response_model=None)
def summary_page(
    request: Request, code: str, db: DbDep, settings: SettingsDep, user: FacilitatorDep
) -> Response:
    return _summary_page(request, db, settings, user, code)


async def _after(
    request: Request,
    settings: Settings,
    user: User,
    code: str,
    command: Callable[..., Outcome[None]],
    *args: object,
) -> Response:
    """Run a summary command; back to the summary page, or the page again with the reason."""
    try:
        await get_writer(request).run(command, code, user, *args)
    except RuleError as exc:
        if not exc.in_form:
            raise
        return await reading(request, _summary_page, settings, user, code, exc)
    return RedirectResponse(f"/facilitator/sessions/{code}/summary", status_code=303)


def _notes(form: Mapping[str, object]) -> summaries.Notes | None:
    """The closing notes a summary form carries (None when it carries none)."""
    cases = {
        int(key.removeprefix("note_")): str(value)
        for key, value in form.items()
        if key.startswith("note_") and key.removeprefix("note_").isdigit()
    }
    if "note" not in form and not cases:
        return None
    return summaries.Notes(str(form.get("note", "")), cases)


@router.post("/sessions/{code}/notes", response_model=None)
async def save_notes(
    request: Request, code: str, settings: SettingsDep, user: FacilitatorDep
) -> Response:
    notes = _notes(await request.form()) or summaries.Notes("", {})
    return await _after(request, settings, user, code, summary.save_notes, settings, notes)


@router.post("/sessions/{code}/publish", response_model=None)
async def publish(
    request: Request, code: str, settings: SettingsDep, user: FacilitatorDep
) -> Response:
    """Publish to the reviewers ticked on the form (at least one), by name: not to all reviewers.
    The page's publish button sends the notes as they stand: saved with the publishing."""
    form = await request.form()
    readers = _reader_ids(form.getlist("reader"))
    return await _after(
        request, settings, user, code, summary.publish, settings, readers, _notes(form)
    )


def _reader_ids(values: Sequence[object]) -> list[int]:
    return [int(v) for v in values if isinstance(v, str) and v.isdigit() and len(v) < 10]


@router.post("/sessions/{code}/readers", response_model=None)
async def change_readers(
    request: Request,
    code: str,
    settings: SettingsDep,
    user: FacilitatorDep,
    reader: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """After publishing: the owner shares the summary with more reviewers, or with fewer."""
    return await _after(request, settings, user, code, summary.change_readers, reader or [])


@router.post("/sessions/{code}/purge", response_model=None)
async def purge(
    request: Request, code: str, settings: SettingsDep, user: FacilitatorDep
) -> Response:
    try:
        return await _after(request, settings, user, code, summary.purge, settings)
    except RuleError:
        raise
    except Exception:  # logged and shown on the page; the retention loop tries again
        log.exception("could not purge the raw rows of session %s", code)
        await get_writer(request).run(retention.mark_failed, code)
        failed = RuleError("summary.purge_failed")
        return await reading(request, _summary_page, settings, user, code, failed)


# Kollegasparring: participants' own dilemmas -----------------------------------------------------

DONE = i18n.Labels(named.DILEMMA_DONE)
"""What the facilitator is told after acting on a participant's dilemma."""


def _dilemmas_page(
    request: Request,
    db: Db,
    user: User,
    code: str,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    session = access.session_for(db, code, user)
    # error_item / done_item: the dilemma a message is about (it stands in that one's form)
    context = {"drafts": {}, "error_item": None, "done_item": None, **extra}
    context.update(
        user=user,
        session=session,
        items=submissions.listed(db, session),
        dismissed=submissions.listed(db, session, "dismissed"),
        ended=Status(session.status) is Status.ENDED,
    )
    return templates.TemplateResponse(
        request, "facilitator/dilemmas.html", context, status_code=status
    )


@router.get("/sessions/{code}/dilemmas", response_class=HTMLResponse)
def dilemmas(
    request: Request,
    code: str,
    db: DbDep,
    user: FacilitatorDep,
    done: str = "",
    item: Annotated[int | None, Query(ge=1, le=ROW_ID)] = None,
) -> HTMLResponse:
    """`done` says what was just done, beside the dilemma `item` it was done to."""
    return _dilemmas_page(request, db, user, code, done=DONE.get(done, ""), done_item=item)


@router.post("/sessions/{code}/dilemmas/{submission_id}", response_model=None)
async def moderate_dilemma(
    request: Request,
    code: str,
    submission_id: Annotated[int, Path(ge=1, le=ROW_ID)],
    writer: WriterDep,
    user: FacilitatorDep,
    action: Annotated[str, Form(max_length=20)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    text: Annotated[str, Form(max_length=4000)] = "",
    duty: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    known = request.app.state.library.context["duties"]
    try:
        await writer.run(
            buttons.moderate_dilemma, code, user, submission_id, action, text, title, duty, known
        )
    except RuleError as exc:
        if not exc.in_form:
            raise
        # Everything typed stays, and the reason stands in the dilemma's own form.
        drafts = {submission_id: {"title": title[:200], "text": text[:2000], "duty": duty[:60]}}
        return await reading(
            request,
            _dilemmas_page,
            user,
            code,
            400,
            error=i18n.refusal(exc),
            error_item=submission_id,
            drafts=drafts,
        )
    # A dismissed one is listed below with its undo; the message stands where it went.
    anchor = "dismissed" if action == "dismiss" else f"dilemma-{submission_id}"
    return RedirectResponse(
        f"/facilitator/sessions/{code}/dilemmas?done={action}&item={submission_id}#{anchor}",
        status_code=303,
    )
