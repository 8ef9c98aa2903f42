"""Websockets: one per open page. Full view on (re)connect, then fragments as events arrive."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.engine import Engine
from sqlmodel import Session as Db

from app import i18n, inbox, logins, services, views
from app.config import Settings
from app.db import begin_write
from app.deps import PARTICIPANT_COOKIE, public_base
from app.domain import RuleError
from app.feed import Feed, Feeds
from app.hub import Event, Hub, session_channel
from app.live_rules import Audience
from app.models import Participant, Session, User
from app.ratelimit import RateLimit
from app.room import load_room
from app.security import origin_allowed

router = APIRouter(tags=["live"])

POLICY_VIOLATION = (
    1008  # the htmx ws extension does not retry this one, so a refused page stays quiet
)


RATE_LIMIT = 100  # messages per minute from one page: people send a few, scripts thousands
ACKS = {  # what a phone gets back for each kind of message
    "vote": ("vote_form", "flash"),
    "reason": ("reason_form", "flash"),
    "answer": ("answer_form", "answer", "flash"),
    "area": ("header", "stage", "flash"),
}


OUTBOX = 64  # pushes waiting for one slow page before it is sent its whole view instead
WHOLE_VIEW = ""  # in an outbox: render the page's complete current view when its turn comes


class Revoked(Exception):
    """The page's person no longer exists in this session: the socket is closed."""


class Connection:
    """One open page: its feed's pushes and (for phones) replies to its own messages, in order."""

    def __init__(
        self, websocket: WebSocket, audience: Audience, session_id: int, participant_id: int | None
    ) -> None:
        self.websocket = websocket
        self.audience = audience
        self.session_id = session_id
        self.participant_id = participant_id
        app = websocket.app
        self.engine: Engine = app.state.engine
        self.hub: Hub = app.state.hub
        self.settings: Settings = app.state.settings
        self.base_url = public_base(self.settings, str(websocket.base_url))
        self.group_id: int | None = None
        self.language = i18n.current.get()  # set for this socket by i18n.Language
        self.rate = RateLimit(RATE_LIMIT, 60)
        self.outbox: asyncio.Queue[str] = asyncio.Queue(OUTBOX)
        self.duties = set(app.state.library.duty_map())  # what "the heaviest duty" may name

    async def run(self) -> None:
        feeds: Feeds = self.websocket.app.state.feeds
        async with feeds.open(self.session_id, self) as feed:
            self.send(feed.full_view(self))
            writer = asyncio.create_task(self.write(feed))
            try:
                await self.read()
            finally:
                writer.cancel()

    def send(self, html: str) -> None:
        """Queue a push (never waits); the feed and the page's own replies both come through here."""
        if not html:
            return
        try:
            self.outbox.put_nowait(html)
        except asyncio.QueueFull:
            # Views are state-based: a page that fell behind needs one full refresh, not a replay.
            while not self.outbox.empty():
                self.outbox.get_nowait()
            self.outbox.put_nowait(WHOLE_VIEW)

    async def write(self, feed: Feed) -> None:
        while True:
            html = await self.outbox.get()
            await self.websocket.send_text(html or feed.full_view(self))

    # Replies to the page's own messages (in a worker thread, from its own database session) ------

    def render(self, names: tuple[str, ...], **extra: Any) -> str:
        """The phone's own forms: from its own rows only, whatever the room's size."""
        return self._render(names, extra, whole_room=False)

    def current_stage(self) -> str:
        """What a refusal shows beside its reason: the current stage, from the whole room."""
        return self._render(("header", "stage"), {}, whole_room=True)

    def _render(self, names: tuple[str, ...], extra: dict[str, Any], whole_room: bool) -> str:
        with Db(self.engine) as db:
            session = db.get(Session, self.session_id)
            person = db.get(Participant, self.participant_id)
            assert session is not None and person is not None
            room = load_room(db, session, None if whole_room else person)
            return views.participant(room, person, names, **extra)

    # Messages from the page -----------------------------------------------------------------------

    async def read(self) -> None:
        while True:
            try:
                raw = await self.websocket.receive_text()
            except (WebSocketDisconnect, RuntimeError):
                return
            if self.audience is not Audience.PARTICIPANT:
                continue  # projector and control page act over HTTP; their sockets only listen
            if not self.rate.hit():
                self.send(views.participant_flash(i18n.t("live.rate_limited")))
                continue
            try:
                # In a worker thread: waiting for the write lock must not stall the other sockets.
                reply, events = await asyncio.to_thread(self.handle, raw)
            except Revoked as exc:
                await self.websocket.close(code=POLICY_VIOLATION, reason=str(exc))
                return
            self.send(reply)
            for item in events:
                await self.hub.publish(session_channel(self.session_id), item)

    def handle(self, raw: str) -> tuple[str, list[Event]]:
        """One phone message, committed before the reply (the ack) is rendered and sent.

        The message's id is committed with its effect: a resend after a lost ack is acknowledged
        again without being applied twice, and the same id with other content is refused.
        """
        error = _message_error(raw, self.settings.max_message_bytes)
        if error:
            return views.participant_flash(error), []
        message: dict[str, Any] = json.loads(raw)
        action, case_id = message["action"], message.get("case")
        option, text = _text(message, "option"), _text(message, "reason")
        mid = ""
        try:
            with Db(self.engine) as db:
                begin_write(db)
                session = db.get(Session, self.session_id)
                person = db.get(Participant, self.participant_id)
                if session is None or person is None or person.session_id != session.id:
                    raise Revoked(i18n.t("join.unknown_participant"))
                mid = inbox.message_id(message)
                content = inbox.digest(message)
                done = inbox.already_done(db, person, mid, content)
                if action not in ACKS:
                    flash = views.participant_flash(i18n.t("live.unknown_action"), msg=mid)
                    return flash, []
                ack = ACKS[action]
                if done is not None:  # a resend: answered with the current truth, nothing applied
                    return self.render(ack, msg=mid), []
                inbox.remember(db, person, mid, content)  # the service commits it with the effect
                if action == "vote":
                    notice = i18n.t("live.vote_saved", option=option)
                    events = services.vote(
                        db,
                        session,
                        person,
                        case_id,
                        option,
                        text,
                        _text(message, "duty"),
                        _text(message, "difficulty"),
                        self.duties,
                    )
                    return self.render(ack, msg=mid, notice=notice), events
                if action == "area":
                    events = services.set_area(db, session, person, _text(message, "area"))
                    return self.render(ack, msg=mid), events
                if action == "reason":
                    notice = i18n.t("live.reason_saved")
                    events = services.save_reason(db, session, person, case_id, text)
                    return self.render(ack, msg=mid, notice=notice, saved=True), events
                base = _int(message.get("base_version"))
                answer_text = _text(message, "text")
                notice = i18n.t("live.answer_saved", version=base + 1)
                try:
                    _, events = services.save_group_answer(
                        db,
                        session,
                        person,
                        case_id,
                        option,
                        answer_text,
                        base,
                        _text(message, "duty"),
                        self.duties,
                    )
                except services.AnswerConflict:
                    conflict = {
                        "conflict": True,
                        "draft_option": option,
                        "draft_text": answer_text,
                        "draft_duty": _text(message, "duty"),
                    }
                    return self.render(ack, msg=mid, **conflict), []
                return self.render(ack, msg=mid, notice=notice, ack=True), events
        except RuleError as exc:
            # The refusal and the current truth together, so a stale screen corrects itself.
            return views.participant_flash(i18n.refusal(exc), msg=mid) + self.current_stage(), []


def _text(message: dict[str, Any], key: str) -> str:
    value = message.get(key, "")
    return value if isinstance(value, str) else ""


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


def _message_error(raw: str, limit: int) -> str:
    if len(raw.encode()) > limit:
        return i18n.t("live.too_big", most=limit // 1024)
    try:
        message = json.loads(raw)
    except ValueError:
        return i18n.t("live.unreadable")
    if not isinstance(message, dict) or not isinstance(message.get("action"), str):
        return i18n.t("live.no_action")
    return ""


# Endpoints -------------------------------------------------------------------------------------------


async def _refuse(websocket: WebSocket, reason: str) -> None:
    # Accept first so the page receives a close code: a refused handshake looks like a network
    # failure to the browser, and it would retry forever.
    await websocket.accept()
    await websocket.close(code=POLICY_VIOLATION, reason=reason)


@router.websocket("/ws/p")
async def participant_socket(websocket: WebSocket) -> None:
    if not origin_allowed(websocket.app.state.settings, websocket):
        await _refuse(websocket, i18n.t("live.foreign_origin"))
        return
    with Db(websocket.app.state.engine) as db:
        person = services.participant_by_token(db, websocket.cookies.get(PARTICIPANT_COOKIE))
    if person is None or person.id is None:
        await _refuse(websocket, i18n.t("join.unknown_participant"))
        return
    await websocket.accept()
    await Connection(websocket, Audience.PARTICIPANT, person.session_id, person.id).run()


async def _staff_socket(websocket: WebSocket, code: str, audience: Audience) -> None:
    if not origin_allowed(websocket.app.state.settings, websocket):
        await _refuse(websocket, i18n.t("live.foreign_origin"))
        return
    user_id = websocket.scope.get(logins.USER)  # a live login's user, found by logins.Logins
    with Db(websocket.app.state.engine) as db:
        user = db.get(User, user_id) if isinstance(user_id, int) else None
        try:
            session = services.session_by_code(db, code)
        except RuleError:
            session = None
    if user is None or user.role != "facilitator" or session is None or session.id is None:
        await _refuse(websocket, i18n.t("login.facilitator"))
        return
    await websocket.accept()
    await Connection(websocket, audience, session.id, None).run()


@router.websocket("/ws/projector/{code}")
async def projector_socket(websocket: WebSocket, code: str) -> None:
    await _staff_socket(websocket, code, Audience.PROJECTOR)


@router.websocket("/ws/facilitator/{code}")
async def facilitator_socket(websocket: WebSocket, code: str) -> None:
    await _staff_socket(websocket, code, Audience.FACILITATOR)
