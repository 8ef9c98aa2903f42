"""The facilitator: login, sessions, and the control panel's actions (htmx posts)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlmodel import col, select

from app import (
    access,
    audit,
    casework,
    export,
    i18n,
    logins,
    retention,
    services,
    submissions,
    summaries,
    views,
)
from app.config import Settings
from app.deps import (
    DbDep,
    EngineDep,
    FacilitatorDep,
    HubDep,
    SettingsDep,
    current_facilitator,
    shared_session,
)
from app.domain import RuleError
from app.domain.phases import Phase, Status
from app.export import build as summary_build
from app.export.markdown import to_markdown
from app.hub import Event, Hub, session_channel
from app.i18n import named
from app.library import by_duty
from app.models import LibraryCase, Session, SessionTemplate, User
from app.room import load_room
from app.routers import signin
from app.web import templates

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
def logout(request: Request, db: DbDep) -> RedirectResponse:
    token = request.session.get(logins.TOKEN)
    if isinstance(token, str):
        logins.end(db, token)  # on the server: a copy of the cookie is refused from now on
        db.commit()
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


def _timers(form: Mapping[str, object]) -> dict[str, int]:
    timers = {}
    for phase in TIMER_PHASES:
        raw = str(form.get(f"timer_{phase}", "") or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or int(raw) > 60:
            raise RuleError("timers.range")
        timers[phase.value] = int(raw) * 60
    return timers


@router.post("/sessions", response_model=None)
async def create_session(
    request: Request,
    db: DbDep,
    user: FacilitatorDep,
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
    try:
        timers = _timers(form)
        session = services.create_session(
            db,
            user,
            title,
            slugs,
            group_size,
            format,
            timers,
            areas=services.parse_areas(areas),
            results_on_phones=results != "projector",
            group_cases=bool(group_cases),
        )
    except RuleError as exc:
        plan = SessionTemplate(name="", format=format[:30], group_size=group_size, timers={})
        return _dashboard(
            request,
            db,
            user,
            400,
            error=i18n.refusal(exc),
            picked=slugs,
            form_title=title[:200],
            plan=plan,
            form_areas=areas[:2000],
        )
    audit.record(db, user, "session.created", session.code)
    if save_template:
        db.add(
            SessionTemplate(
                name=session.title,
                format=session.format,
                group_size=session.group_size,
                slugs=slugs,
                timers=dict(session.timers),
            )
        )
        db.commit()
    return RedirectResponse(f"/facilitator/sessions/{session.code}", status_code=303)


@router.get("/sessions/{code}", response_class=HTMLResponse)
def control(request: Request, code: str, db: DbDep, user: FacilitatorDep) -> HTMLResponse:
    session = access.session_for(db, code, user)
    context = {
        "user": user,
        "room": load_room(db, session),
        "owner": access.part_in(db, session, user.id) is access.Part.OWNER,
        "co_facilitators": access.co_facilitators(db, session),
        **_sharing_notice(request),
    }
    return templates.TemplateResponse(request, "facilitator/control.html", context)


# Sharing: the owner adds and removes co-facilitators by name (app.access).

SHARED = i18n.Labels(named.SHARE_DONE)


def _sharing_notice(request: Request) -> dict[str, str]:
    done = request.query_params.get("shared", "")
    return {"share_done": SHARED.get(done, ""), "share_error": ""}


@router.post("/sessions/{code}/share", response_model=None)
async def share(
    request: Request,
    code: str,
    db: DbDep,
    hub: HubDep,
    user: FacilitatorDep,
    username: Annotated[str, Form(max_length=200)] = "",
    remove: Annotated[int | None, Form(ge=1, le=ROW_ID)] = None,
) -> Response:
    session = access.session_for(db, code, user, owner=True)
    try:
        if remove is not None:
            gone = db.get(User, remove)
            for item in access.remove_co_facilitator(db, session, remove):
                await hub.publish(session_channel(item["session"]), item)
            audit.record(db, user, "session.unshared", session.code, gone.username if gone else "")
        else:
            added = access.add_co_facilitator(db, session, username)
            audit.record(db, user, "session.shared", session.code, added.username)
    except RuleError as exc:
        context = {
            "user": user,
            "room": load_room(db, session),
            "owner": True,
            "co_facilitators": access.co_facilitators(db, session),
            "share_done": "",
            "share_error": i18n.refusal(exc),
        }
        return templates.TemplateResponse(
            request, "facilitator/control.html", context, status_code=400
        )
    done = "removed" if remove is not None else "added"
    return RedirectResponse(f"/facilitator/sessions/{session.code}?shared={done}", status_code=303)


# Control actions: each answers with the flash fragment; the new state arrives over the websocket.


async def _act(hub: Hub, command: Callable[[], list[Event]]) -> HTMLResponse:
    """Run one service command; publish its events after commit, or show why it was refused."""
    try:
        events = command()
    except RuleError as exc:
        # 200 so htmx swaps the message in; the message says what was expected.
        return HTMLResponse(views.facilitator_flash(i18n.refusal(exc)))
    for item in events:
        await hub.publish(session_channel(item["session"]), item)
    return HTMLResponse(views.facilitator_flash(""))


@router.post("/sessions/{code}/start")
async def start(code: str, db: DbDep, user: FacilitatorDep, hub: HubDep) -> HTMLResponse:
    def start_and_log() -> list[Event]:
        session = access.session_for(db, code, user)
        events = services.start_session(db, session)
        audit.record(db, user, "session.started", session.code)
        return events

    return await _act(hub, start_and_log)


@router.post("/sessions/{code}/phase")
async def phase(
    code: str,
    db: DbDep,
    user: FacilitatorDep,
    hub: HubDep,
    action: Annotated[str, Form(max_length=20)],
    force: Annotated[str, Form(max_length=5)] = "",
) -> HTMLResponse:
    return await _act(
        hub,
        lambda: services.change_phase(
            db, access.session_for(db, code, user), action, force=bool(force)
        ),
    )


@router.post("/sessions/{code}/step")
async def step(
    code: str, db: DbDep, hub: HubDep, step: Annotated[int, Form(ge=0, le=1000)]
) -> HTMLResponse:
    """Show another part of the result on the projector."""
    return await _act(
        hub, lambda: services.set_reveal_step(db, services.session_by_code(db, code), step)
    )


@router.post("/sessions/{code}/next-case")
async def next_case(
    code: str,
    db: DbDep,
    user: FacilitatorDep,
    hub: HubDep,
    mode: Annotated[str, Form(max_length=20)] = "keep",
) -> HTMLResponse:
    return await _act(
        hub,
        lambda: services.next_case(
            db, access.session_for(db, code, user), services.parse_mode(mode)
        ),
    )


def _seconds(raw: str) -> int | None:
    try:
        return int(raw) if raw.strip() else None
    except ValueError as exc:
        raise RuleError("timer.whole_seconds") from exc


@router.post("/sessions/{code}/timer")
async def timer(
    code: str,
    db: DbDep,
    user: FacilitatorDep,
    hub: HubDep,
    seconds: Annotated[str, Form(max_length=10)] = "",
    extend: Annotated[str, Form(max_length=5)] = "",
) -> HTMLResponse:
    return await _act(
        hub,
        lambda: services.set_timer(
            db, access.session_for(db, code, user), _seconds(seconds), bool(extend)
        ),
    )


@router.post("/sessions/{code}/end")
async def end(
    code: str, db: DbDep, user: FacilitatorDep, hub: HubDep, settings: SettingsDep
) -> HTMLResponse:
    def end_and_freeze() -> list[Event]:
        session = access.session_for(db, code, user)
        events = services.end_session(db, session)
        summaries.freeze(db, session, settings)  # the summary is kept before any purge can run
        audit.record(db, user, "session.ended", session.code)
        return events

    return await _act(hub, end_and_freeze)


@router.post("/sessions/{code}/regroup")
async def regroup(
    code: str,
    db: DbDep,
    user: FacilitatorDep,
    hub: HubDep,
    mode: Annotated[str, Form(max_length=20)] = "random",
) -> HTMLResponse:
    return await _act(
        hub,
        lambda: services.regroup(db, access.session_for(db, code, user), services.parse_mode(mode)),
    )


@router.post("/sessions/{code}/move")
async def move(
    code: str,
    db: DbDep,
    user: FacilitatorDep,
    hub: HubDep,
    participant: Annotated[int, Form(ge=1, le=100000)],
    group: Annotated[int, Form(ge=1, le=10000)],
) -> HTMLResponse:
    return await _act(
        hub,
        lambda: services.move_participant(
            db, access.session_for(db, code, user), participant, group
        ),
    )


@router.post("/sessions/{code}/assign")
async def assign_case(
    code: str,
    db: DbDep,
    user: FacilitatorDep,
    hub: HubDep,
    group: Annotated[int, Form(ge=1, le=10000)],
    submission: Annotated[int, Form(ge=0, le=ROW_ID)] = 0,
    slug: Annotated[str, Form(max_length=120)] = "",
) -> HTMLResponse:
    """Kollegasparring with own cases: a group without a case gets a submitted or library case."""
    return await _act(
        hub,
        lambda: casework.assign(db, access.session_for(db, code, user), group, submission, slug),
    )


@router.post("/sessions/{code}/give-follow-up")
async def give_follow_up(
    code: str,
    db: DbDep,
    hub: HubDep,
    case: Annotated[int, Form(ge=1, le=ROW_ID)],
    group: Annotated[int, Form(ge=1, le=10000)],
) -> HTMLResponse:
    """An open case whose case-giver came on a new phone goes to their group, to be claimed."""
    return await _act(
        hub, lambda: casework.give_follow_up(db, services.session_by_code(db, code), case, group)
    )


@router.post("/sessions/{code}/merge")
async def merge_groups(
    code: str,
    db: DbDep,
    user: FacilitatorDep,
    hub: HubDep,
    source: Annotated[int, Form(ge=1, le=10000)],
    target: Annotated[int, Form(ge=1, le=10000)],
) -> HTMLResponse:
    return await _act(
        hub, lambda: casework.merge(db, access.session_for(db, code, user), source, target)
    )


@router.post("/sessions/{code}/next-meeting", response_model=None)
def next_meeting(request: Request, code: str, db: DbDep, user: FacilitatorDep) -> Response:
    """The series' next meeting, with the cases its case-givers kept open."""
    try:
        session = casework.next_meeting(db, user, access.session_for(db, code, user))
    except RuleError as exc:
        return _dashboard(request, db, user, 400, error=i18n.refusal(exc))
    return RedirectResponse(f"/facilitator/sessions/{session.code}", status_code=303)


@router.post("/sessions/{code}/remove")
async def remove(
    code: str,
    db: DbDep,
    hub: HubDep,
    participant: Annotated[int, Form(ge=1, le=100000)],
) -> HTMLResponse:
    """Take a participant who has gone out of the counts and their group (their rows stay)."""
    return await _act(
        hub,
        lambda: services.remove_participant(db, services.session_by_code(db, code), participant),
    )


@router.post("/sessions/{code}/hide")
async def hide(
    code: str,
    db: DbDep,
    user: FacilitatorDep,
    hub: HubDep,
    kind: Annotated[str, Form(max_length=10)],
    id: Annotated[int, Form(ge=1, le=ROW_ID)],
    hidden: Annotated[str, Form(max_length=5)] = "",
) -> HTMLResponse:
    return await _act(
        hub,
        lambda: services.set_hidden(db, access.session_for(db, code, user), kind, id, bool(hidden)),
    )


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
def download_summary(
    code: str,
    fmt: str,
    db: DbDep,
    engine: EngineDep,
    user: FacilitatorDep,
    settings: SettingsDep,
) -> Response:
    session = access.session_for(db, code, user)
    if Status(session.status) is not Status.ENDED:
        return PlainTextResponse(
            i18n.gettext("Opsummeringen kan hentes, når sessionen er afsluttet."), status_code=409
        )
    response = export.response(summaries.summary_of(db, session, settings), session.code, fmt)
    if response.status_code == 200:
        audit.record_apart(engine, user, "summary.downloaded", session.code, fmt[:10])
    return response


def _summary_page(
    request: Request, db: DbDep, settings: Settings, user: User, code: str, **extra: object
) -> Response:
    session = access.session_for(db, code, user)
    if Status(session.status) is not Status.ENDED:
        return RedirectResponse(f"/facilitator/sessions/{session.code}", status_code=303)
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


def _after(
    request: Request,
    code: str,
    db: DbDep,
    settings: Settings,
    user: User,
    command: Callable[[Session], object],
    owner: bool = False,
) -> Response:
    """Run a summary command; back to the summary page, or the page again with the reason.

    A plain function: FastAPI runs it in a worker thread, so its writes never block the loop."""
    session = access.session_for(db, code, user, owner=owner)
    try:
        command(session)
    except RuleError as exc:
        if Status(session.status) is not Status.ENDED:
            raise  # the Danish error page says why
        return _summary_page(request, db, settings, user, code, error=i18n.refusal(exc))
    return RedirectResponse(f"/facilitator/sessions/{session.code}/summary", status_code=303)


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
    request: Request, code: str, db: DbDep, settings: SettingsDep, user: FacilitatorDep
) -> Response:
    notes = _notes(await request.form()) or summaries.Notes("", {})
    return await run_in_threadpool(
        _after,
        request,
        code,
        db,
        settings,
        user,
        lambda s: summaries.save_notes(db, s, settings, notes.session, notes.cases),
    )


def _names(db: DbDep, user_ids: list[int]) -> str:
    users = (db.get(User, i) for i in set(user_ids))
    return ", ".join(sorted(u.username for u in users if u is not None))


@router.post("/sessions/{code}/publish", response_model=None)
async def publish(
    request: Request, code: str, db: DbDep, settings: SettingsDep, user: FacilitatorDep
) -> Response:
    """Publish to the reviewers ticked on the form (at least one), by name: not to all reviewers.
    The page's publish button sends the notes as they stand: saved with the publishing."""
    form = await request.form()
    notes = _notes(form)
    readers = _reader_ids(form.getlist("reader"))

    def publish_to(session: Session) -> None:
        if session.published_at is not None:
            raise RuleError("summary.already_published")
        access.set_readers(db, session, readers)
        audit.add(db, user, "summary.published", session.code, _names(db, readers))
        summaries.publish(db, session, settings, notes)  # commits readers and audit row with it

    return await run_in_threadpool(
        _after, request, code, db, settings, user, publish_to, owner=True
    )


def _reader_ids(values: Sequence[object]) -> list[int]:
    return [int(v) for v in values if isinstance(v, str) and v.isdigit() and len(v) < 10]


@router.post("/sessions/{code}/readers", response_model=None)
def change_readers(
    request: Request,
    code: str,
    db: DbDep,
    settings: SettingsDep,
    user: FacilitatorDep,
    reader: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """After publishing: the owner shares the summary with more reviewers, or with fewer."""

    def save(session: Session) -> None:
        if session.published_at is None:
            raise RuleError("share.not_published")
        access.set_readers(db, session, reader or [])
        audit.add(db, user, "summary.readers", session.code, _names(db, reader or []))
        db.commit()

    return _after(request, code, db, settings, user, save, owner=True)


@router.post("/sessions/{code}/purge", response_model=None)
def purge(
    request: Request, code: str, db: DbDep, settings: SettingsDep, user: FacilitatorDep
) -> Response:
    def now(session: Session) -> None:
        try:
            retention.purge(db, session, settings)
        except RuleError:
            raise
        except Exception as exc:  # logged and shown on the page; the retention loop tries again
            log.exception("could not purge the raw rows of session %s", session.code)
            db.rollback()
            retention.mark_failed(request.app.state.engine, session.id)
            raise RuleError("summary.purge_failed") from exc
        audit.record(db, user, "summary.purged", session.code)

    return _after(request, code, db, settings, user, now, owner=True)


# Kollegasparring: participants' own dilemmas -----------------------------------------------------

DONE = i18n.Labels(named.DILEMMA_DONE)
"""What the facilitator is told after acting on a participant's dilemma."""


def _dilemmas_page(
    request: Request,
    db: DbDep,
    user: User,
    session: Session,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
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
    session = access.session_for(db, code, user)
    return _dilemmas_page(request, db, user, session, done=DONE.get(done, ""), done_item=item)


@router.post("/sessions/{code}/dilemmas/{submission_id}", response_model=None)
async def moderate_dilemma(
    request: Request,
    code: str,
    submission_id: Annotated[int, Path(ge=1, le=ROW_ID)],
    db: DbDep,
    hub: HubDep,
    user: FacilitatorDep,
    action: Annotated[str, Form(max_length=20)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    text: Annotated[str, Form(max_length=4000)] = "",
    duty: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    session = access.session_for(db, code, user)
    known = request.app.state.library.context["duties"]
    try:
        events = submissions.moderate(db, session, submission_id, action, text, title, duty, known)
    except RuleError as exc:
        # Everything typed stays, and the reason stands in the dilemma's own form.
        drafts = {submission_id: {"title": title[:200], "text": text[:2000], "duty": duty[:60]}}
        return _dilemmas_page(
            request,
            db,
            user,
            session,
            400,
            error=i18n.refusal(exc),
            error_item=submission_id,
            drafts=drafts,
        )
    for item in events:
        await hub.publish(session_channel(item["session"]), item)
    # A dismissed one is listed below with its undo; the message stands where it went.
    anchor = "dismissed" if action == "dismiss" else f"dilemma-{submission_id}"
    return RedirectResponse(
        f"/facilitator/sessions/{session.code}/dilemmas?done={action}&item={submission_id}#{anchor}",
        status_code=303,
    )
