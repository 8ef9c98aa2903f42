"""Websockets: one per open page. Full view on (re)connect, then fragments as events arrive."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

from fastapi import APIRouter, WebSocket
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session as Db
from sqlmodel import col, select

from app import access, auth, casework, i18n, inbox, logins, presence, services, views
from app.config import Settings
from app.deps import DEVICE_COOKIE, PARTICIPANT_COOKIE, public_base
from app.domain import RuleError, phone_message
from app.domain.phases import Format
from app.feed import Feed, Feeds
from app.hub import Event
from app.i18n import N_
from app.live_rules import Audience
from app.models import Participant, Session, User
from app.ratelimit import RateLimit
from app.room import Room, load_room, own_room
from app.security import origin_allowed
from app.writer import Writer

router = APIRouter(tags=["live"])

POLICY_VIOLATION = (
    1008  # the htmx ws extension does not retry this one, so a refused page stays quiet
)
TRY_AGAIN_LATER = 1013  # the page reconnects with backoff (htmx's ws extension retries it)
DATABASE_DOWN = (OperationalError, InterfaceError)
LOGIN_ENDED = 4401  # a staff page's login ended while it was open: the page reloads to the login
ACCESS_ENDED = 4403  # its person is no longer the session's co-facilitator: the page reloads (403)


RATE_LIMIT = 100  # messages per minute from one page: people send a few, scripts thousands
ACKS = {  # what a phone gets back for each kind of message
    "vote": ("vote_form", "flash"),
    "reason": ("reason_form", "flash"),
    "answer": ("answer_form", "answer", "flash"),
    "area": ("header", "stage", "flash"),
    # Kollegasparring with own cases: the group's case panel answers each of these.
    **dict.fromkeys(
        ("case", "take", "claim", "duty", "done", "close", "followup", "questions"),
        ("groupcase", "flash"),
    ),
}
CASEWORK_NOTICES = {
    "case": N_("Din sag er gemt."),
    "take": N_("Du er case-giver."),
    "claim": N_("Du er case-giver."),
    "done": N_("Gruppen er klar."),
    "close": N_("Sagen er lukket."),
    "followup": N_("Opfølgningen er gemt."),
    "questions": N_("Dine spørgsmål er gemt."),
}


OUTBOX = 64  # feed pushes waiting for one slow page before it is sent its whole view instead
WHOLE_VIEW = ""  # in an outbox: render the page's complete current view when its turn comes


class Outbox:
    """What waits to be sent to one page, in order. A page that fell behind on the feed gets one
    whole view instead of the backlog (views are state-based), but never loses a reply: each
    answers a message that the phone keeps, and resends, until it is answered."""

    def __init__(self, most: int = OUTBOX) -> None:
        self.most = most
        self.queue: asyncio.Queue[tuple[bool, str]] = asyncio.Queue()  # (is a reply, html)
        self.pushes = 0  # feed pushes waiting

    def put(self, html: str, reply: bool = False) -> None:
        if not html:
            return
        if not reply and self.pushes >= self.most:
            waiting = [self.queue.get_nowait() for _ in range(self.queue.qsize())]
            for item in waiting:
                if item[0]:
                    self.queue.put_nowait(item)
            self.queue.put_nowait((False, WHOLE_VIEW))
            self.pushes = 1
            return
        self.pushes += not reply
        self.queue.put_nowait((reply, html))

    async def get(self) -> str:
        """The next thing to send; WHOLE_VIEW: render the page's whole current view now."""
        reply, html = await self.queue.get()
        self.pushes -= not reply
        return html


class Revoked(Exception):
    """The page's person no longer exists in this session: the socket is closed."""


class Connection:
    """One open page: its feed's pushes and (for phones) replies to its own messages, in order."""

    def __init__(
        self,
        websocket: WebSocket,
        audience: Audience,
        session_id: int,
        participant_id: int | None,
        user_id: int | None = None,
    ) -> None:
        self.websocket = websocket
        self.audience = audience
        self.session_id = session_id
        self.participant_id = participant_id
        self.user_id = user_id  # a staff page's facilitator
        self.closing: asyncio.Task[None] | None = None
        app = websocket.app
        self.settings: Settings = app.state.settings
        self.base_url = public_base(self.settings, str(websocket.base_url))
        self.group_id: int | None = None
        self.language = i18n.current.get()  # set for this socket by i18n.Language
        self.rate = RateLimit(RATE_LIMIT, 60)
        self.outbox = Outbox()
        self.last_words: tuple[str, int] | None = None  # sent just before the server closes
        self.writer: Writer = app.state.writer
        self.duties = set(app.state.library.duty_map())  # what "the heaviest duty" may name
        self.duty_order = list(app.state.library.duty_map())
        device = websocket.cookies.get(DEVICE_COOKIE, "")
        self.device = auth.token_hash(device) if device else ""

    async def run(self) -> None:
        feeds: Feeds = self.websocket.app.state.feeds
        async with feeds.open(self.session_id, self) as feed:
            self.send(feed.full_view(self))
            writer = asyncio.create_task(self.write(feed))
            try:
                await self.read()
            finally:
                writer.cancel()
        if self.last_words:  # after the pushes have stopped: this is the last thing the page reads
            html, code = self.last_words
            with contextlib.suppress(RuntimeError, OSError):
                await self.websocket.send_text(html)
                await self.websocket.close(code=code)

    def send(self, html: str, reply: bool = False) -> None:
        """Queue a push (never waits): the feed's pushes and the page's own replies."""
        self.outbox.put(html, reply)

    def revoke(self) -> None:
        """The owner stopped sharing the session with this page's facilitator: close it now."""
        if self.closing is None:
            reason = i18n.gettext(
                "Sessionen %(code)s er en anden facilitators. Kun ejeren og de medfacilitatorer, ejeren har tilføjet, kan se og styre den.",
                code="",
            )
            self.closing = asyncio.create_task(
                self.websocket.close(code=ACCESS_ENDED, reason=reason[:120])
            )

    async def write(self, feed: Feed) -> None:
        while True:
            html = await self.outbox.get()
            await self.websocket.send_text(html or feed.full_view(self))

    # Messages from the page -----------------------------------------------------------------------

    async def read(self) -> None:
        while True:
            try:
                frame = await self.websocket.receive()
            except RuntimeError:  # already closed
                return
            if frame["type"] == "websocket.disconnect":
                return
            if self.audience is not Audience.PARTICIPANT:
                continue  # projector and control page act over HTTP; their sockets only listen
            if not self.rate.hit():
                self.send(
                    views.participant_flash(
                        i18n.gettext("Du sender for mange beskeder. Vent et minut, og prøv igen.")
                    ),
                    reply=True,
                )
                continue
            raw = frame["text"] if frame.get("text") is not None else frame.get("bytes") or b""
            try:
                message = phone_message.parse(raw, self.settings.max_message_bytes)
            except phone_message.Refused as exc:
                flash = views.participant_flash(i18n.refusal(exc), msg=exc.message_id)
                self.send(flash, reply=True)
                continue
            try:
                # Committed with whatever else is waiting (app.writer), answered after the commit.
                self.send(await self.writer.submit(PhoneMessage(self, message)), reply=True)
            except DATABASE_DOWN:
                # Not stored, and not answered: the page keeps the message, reconnects (1013: try
                # again later) and sends it again once the database answers.
                flash = views.participant_flash(
                    i18n.gettext(
                        "Kan ikke gemme lige nu: databasen svarer ikke. Beskeden sendes igen af sig selv, når der er forbindelse."
                    )
                )
                self.last_words = (flash, TRY_AGAIN_LATER)
                return
            except Revoked:
                reason = i18n.gettext("Ukendt deltager: deltag igen med koden")
                await self.websocket.close(code=POLICY_VIOLATION, reason=reason)
                return


class PhoneMessage:
    """One phone message as a job for the writer: applied, then answered from the stored truth.

    The message's id is committed with its effect: a resend after a lost ack is acknowledged
    again without being applied twice, and the same id with other content is refused.
    """

    def __init__(self, page: Connection, message: dict[str, Any]) -> None:
        self.page = page
        self.message = message
        self.action: str = message["action"]
        self.mid = ""
        self.ack: tuple[str, ...] = ()  # the fragments that answer it; none: just a flash
        self.notice: tuple[str, dict[str, Any]] = ("", {})  # catalogue key and its facts
        self.extra: dict[str, Any] = {}
        self.events: list[Event] = []

    @staticmethod
    def prepare(db: Db, messages: list[PhoneMessage]) -> None:
        """The batch's phones and its message ids, each read once for all of them."""
        people = {m.page.participant_id for m in messages}
        db.exec(select(Participant).where(col(Participant.id).in_(people))).all()  # identity map
        ids = [(m.page.participant_id, m.message.get("id")) for m in messages]
        inbox.recall(db, [(p, i) for p, i in ids if p is not None and isinstance(i, str)])

    def apply(self, db: Db) -> None:
        message, page = self.message, self.page
        session = db.get(Session, page.session_id)
        person = db.get(Participant, page.participant_id)
        if session is None or person is None or person.session_id != session.id:
            raise Revoked()
        if person.left_at is not None:
            raise RuleError("participant.left")
        db.info.setdefault(("answered", session.id), []).append(person)  # see _batch_room
        self.mid = inbox.message_id(message)
        content = inbox.digest(message)
        done = inbox.already_done(db, person, self.mid, content)
        if self.action not in ACKS:
            return
        self.ack = ACKS[self.action]
        if done is not None:  # a resend: answered with the current truth, nothing applied
            return
        inbox.remember(db, person, self.mid, content)  # the service commits it with the effect
        case_id, option = message.get("case"), _text(message, "option")
        text, duty = _text(message, "reason"), _text(message, "duty")
        if self.action == "vote":
            self.notice = (N_("Din stemme (%(option)s) er gemt."), {"option": option})
            self.events = services.vote(
                db,
                session,
                person,
                case_id,
                option,
                text,
                duty,
                _text(message, "difficulty"),
                page.duties,
            )
        elif self.action == "area":
            self.events = services.set_area(db, session, person, _text(message, "area"))
        elif self.action in CASEWORK_NOTICES or self.action == "duty":
            self.notice = (CASEWORK_NOTICES.get(self.action, ""), {})
            self.events = _casework(db, session, person, self.action, message, page)
        elif self.action == "reason":
            reflection = session.format == Format.KOLLEGASPARRING
            saved = N_("Din refleksion er gemt.") if reflection else N_("Din begrundelse er gemt.")
            self.notice, self.extra = (saved, {}), {"saved": True}
            self.events = services.save_reason(db, session, person, case_id, text)
        else:
            base = _int(message.get("base_version"))
            self.notice = (
                N_("Gruppens svar er gemt (version %(version)s)."),
                {"version": base + 1},
            )
            self.extra = {"ack": True}
            _, self.events = services.save_group_answer(
                db,
                session,
                person,
                case_id,
                option,
                _text(message, "text"),
                base,
                duty,
                page.duties,
            )

    def answer(self, db: Db, error: Exception | None) -> str:
        # The writer's thread answers phones of every language: each in its own.
        token = i18n.current.set(self.page.language)
        try:
            return self._answer(db, error)
        finally:
            i18n.current.reset(token)

    def _answer(self, db: Db, error: Exception | None) -> str:
        page = self.page
        if isinstance(error, services.AnswerConflict):  # nothing applied; the draft kept to merge
            self.notice = ("", {})
            self.extra = {
                "conflict": True,
                "draft_option": _text(self.message, "option"),
                "draft_text": _text(self.message, "text"),
                "draft_duty": _text(self.message, "duty"),
            }
        elif isinstance(error, RuleError):
            # The refusal and the current truth together, so a stale screen corrects itself.
            flash = views.participant_flash(i18n.refusal(error), msg=self.mid)
            room = _batch_room(db, page.session_id, whole=True)
            return flash + views.participant(room, self.person(db), STAGE)
        elif error is not None:
            raise error
        if not self.ack:
            return views.participant_flash(
                i18n.gettext("Ukendt handling. Genindlæs siden."), msg=self.mid
            )
        key, facts = self.notice
        notice = {"notice": i18n.gettext(key, **facts)} if key else {}
        # The phone's own forms: from its own rows only, whatever the room's size.
        person = self.person(db)
        room = own_room(_batch_room(db, page.session_id, whole=False), person)
        return views.participant(room, person, self.ack, msg=self.mid, **notice, **self.extra)

    def person(self, db: Db) -> Participant:
        person = db.get(Participant, self.page.participant_id)
        assert person is not None
        return person


STAGE = ("header", "stage")


def _batch_room(db: Db, session_id: int, whole: bool) -> Room:
    """The room as this batch left it, read once for all the batch's answers: whole (beside a
    refusal), or just the rows of the phones that sent messages (their own forms)."""
    key = ("room", session_id, whole)
    if key not in db.info:
        session = db.get(Session, session_id)
        assert session is not None
        people = None if whole else db.info[("answered", session_id)]
        db.info[key] = load_room(db, session, people)
    room: Room = db.info[key]
    return room


def _casework(
    db: Db, session: Session, person: Participant, action: str, m: dict[str, Any], page: Connection
) -> list[Event]:
    """Kollegasparring with own cases: a phone's message about its group's case."""
    if action == "case":
        return casework.write_case(
            db, session, person, _text(m, "title"), _text(m, "text"), page.device
        )
    if action == "take":
        return casework.take_case(db, session, person, page.device)
    if action == "claim":
        return casework.claim_follow_up(db, session, person, m.get("gcase"), page.device)
    if action == "duty":
        on = _text(m, "on") == "1"
        return casework.mark_duty(db, session, person, _text(m, "duty"), on, page.duty_order)
    if action == "done":
        return casework.mark_done(db, session, person)
    if action == "close":
        return casework.close_case(
            db,
            session,
            person,
            _text(m, "takeaway"),
            _text(m, "share"),
            _text(m, "brief"),
            _text(m, "keep_open") == "1",
        )
    if action == "followup":
        return casework.note_follow_up(db, session, person, m.get("gcase"), _text(m, "text"))
    return casework.save_questions(db, session, person, m.get("case"), _text(m, "questions"))


def _text(message: dict[str, Any], key: str) -> str:
    value = message.get(key, "")
    return value if isinstance(value, str) else ""


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


# Endpoints -------------------------------------------------------------------------------------------


async def _refuse(websocket: WebSocket, reason: str) -> None:
    # Accept first so the page receives a close code: a refused handshake looks like a network
    # failure to the browser, and it would retry forever.
    await websocket.accept()
    await websocket.close(code=POLICY_VIOLATION, reason=reason)


async def _try_later(websocket: WebSocket) -> None:
    """The database does not answer: the page is told to come back (it retries with backoff)."""
    await websocket.accept()
    await websocket.close(code=TRY_AGAIN_LATER)


@router.websocket("/ws/p")
async def participant_socket(websocket: WebSocket) -> None:
    if not origin_allowed(websocket.app.state.settings, websocket):
        await _refuse(websocket, i18n.gettext("Siden kommer fra et andet websted"))
        return
    try:
        with Db(websocket.app.state.engine) as db:
            person = services.participant_by_token(db, websocket.cookies.get(PARTICIPANT_COOKIE))
    except DATABASE_DOWN:
        await _try_later(websocket)
        return
    if person is None or person.id is None or person.left_at is not None:
        await _refuse(websocket, i18n.gettext("Ukendt deltager: deltag igen med koden"))
        return
    try:
        # Seen now; a phone back after a while is counted again (and given a group if it has none).
        await websocket.app.state.writer.submit(presence.Arrive(person.session_id, person.id))
    except DATABASE_DOWN:
        await _try_later(websocket)
        return
    await websocket.accept()
    await Connection(websocket, Audience.PARTICIPANT, person.session_id, person.id).run()


async def _staff_socket(websocket: WebSocket, code: str, audience: Audience) -> None:
    if not origin_allowed(websocket.app.state.settings, websocket):
        await _refuse(websocket, i18n.gettext("Siden kommer fra et andet websted"))
        return
    user_id = websocket.scope.get(logins.USER)  # a live login's user, found by logins.Logins
    try:
        with Db(websocket.app.state.engine) as db:
            user = db.get(User, user_id) if isinstance(user_id, int) else None
            try:
                session = services.session_by_code(db, code)
            except RuleError:
                session = None
            allowed = (
                user is not None and session is not None and access.part_in(db, session, user.id)
            )
    except DATABASE_DOWN:
        await _try_later(websocket)
        return
    if user is None or user.role != "facilitator" or session is None or session.id is None:
        await _refuse(websocket, i18n.gettext("Log ind som facilitator"))
        return
    if not allowed:  # another facilitator's session: its room stays closed to this one
        await _refuse(
            websocket,
            i18n.gettext(
                "Sessionen %(code)s er en anden facilitators. Kun ejeren og de medfacilitatorer, ejeren har tilføjet, kan se og styre den.",
                code=session.code,
            ),
        )
        return
    await websocket.accept()
    token = websocket.scope["session"].get(logins.TOKEN, "")
    watch = asyncio.create_task(_watch_login(websocket, token, session.id, user.id))
    try:
        await Connection(websocket, audience, session.id, None, user.id).run()
    finally:
        watch.cancel()


async def _watch_login(
    websocket: WebSocket, token: str, session_id: int, user_id: int | None
) -> None:
    """Close an open control or projector page once its login ends (logout, idle, new password)
    or the session is no longer shared with its facilitator: the room's texts stop reaching that
    laptop. An unsharing also closes the page at once (Connection.revoke); this catches the rest."""
    state = websocket.app.state
    while True:
        await asyncio.sleep(state.settings.login_recheck_seconds)
        code = await asyncio.to_thread(
            _still_open, state.engine, state.settings, state.clock(), token, session_id, user_id
        )
        if code == LOGIN_ENDED:
            await websocket.close(
                code=code,
                reason=i18n.gettext(
                    "Dit login er udløbet, så du er logget ud. Log ind igen for at fortsætte."
                ),
            )
            return
        if code == ACCESS_ENDED:
            reason = i18n.gettext(
                "Sessionen %(code)s er en anden facilitators. Kun ejeren og de medfacilitatorer, ejeren har tilføjet, kan se og styre den.",
                code="",
            )[:120]
            await websocket.close(code=code, reason=reason)
            return


def _still_open(
    engine: Engine,
    settings: Settings,
    moment: datetime,
    token: str,
    session_id: int,
    user_id: int | None,
) -> int | None:
    """None while the page may stay open, else the code to close it with (reads only)."""
    if not logins.alive(engine, settings, moment, token):
        return LOGIN_ENDED
    with Db(engine) as db:
        session = db.get(Session, session_id)
        if session is None or access.part_in(db, session, user_id) is None:
            return ACCESS_ENDED
    return None


@router.websocket("/ws/projector/{code}")
async def projector_socket(websocket: WebSocket, code: str) -> None:
    await _staff_socket(websocket, code, Audience.PROJECTOR)


@router.websocket("/ws/facilitator/{code}")
async def facilitator_socket(websocket: WebSocket, code: str) -> None:
    await _staff_socket(websocket, code, Audience.FACILITATOR)
