"""Websockets: one per open page. Full view on (re)connect, then fragments as events arrive."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.engine import Engine
from sqlmodel import Session as Db

from app import inbox, services, views
from app.config import Settings
from app.db import begin_write
from app.deps import PARTICIPANT_COOKIE, public_base
from app.domain import RuleError
from app.hub import Event, Hub, session_channel
from app.live_rules import FULL, Audience, fragments_for
from app.models import Participant, Session, User
from app.ratelimit import RateLimit
from app.room import load_room
from app.security import origin_allowed

router = APIRouter(tags=["live"])

POLICY_VIOLATION = (
    1008  # the htmx ws extension does not retry this one, so a refused page stays quiet
)


FOREIGN_ORIGIN = "Siden kommer fra et andet websted"
RATE_LIMIT = 100  # messages per minute from one page: people send a few, scripts thousands
RATE_LIMITED = "Du sender for mange beskeder. Vent et minut, og prøv igen."
ACKS = {  # what a phone gets back for each kind of message
    "vote": ("vote_form", "flash"),
    "reason": ("reason_form", "flash"),
    "answer": ("answer_form", "answer", "flash"),
}


class Revoked(Exception):
    """The page's person no longer exists in this session: the socket is closed."""


class Connection:
    """One open page: merges hub events and (for phones) the page's own messages onto one socket."""

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
        self.send_lock = asyncio.Lock()
        self.pending: set[str] = set()
        self.flush_task: asyncio.Task[None] | None = None
        self.group_id: int | None = None
        self.rate = RateLimit(RATE_LIMIT, 60)

    async def run(self) -> None:
        channel = session_channel(self.session_id)
        async with self.hub.subscribe(channel) as subscription:
            await self.push(self.full_view())
            pusher = asyncio.create_task(self.follow(subscription))
            try:
                await self.read()
            finally:
                pusher.cancel()
                if self.flush_task:
                    self.flush_task.cancel()

    # Rendering ------------------------------------------------------------------------------------

    def render(self, names: tuple[str, ...], **extra: Any) -> str:
        with Db(self.engine) as db:
            session = db.get(Session, self.session_id)
            assert session is not None
            room = load_room(db, session)
            if self.audience is Audience.PARTICIPANT:
                person = db.get(Participant, self.participant_id)
                assert person is not None
                self.group_id = person.group_id
                return views.participant(room, person, names, **extra)
            if self.audience is Audience.PROJECTOR:
                return views.projector(room, names, self.base_url)
            return views.facilitator(room, names)

    def full_view(self) -> str:
        return self.render(FULL[self.audience])

    def current_group(self) -> int | None:
        if self.participant_id is None:
            return None
        with Db(self.engine) as db:
            person = db.get(Participant, self.participant_id)
            return person.group_id if person else None

    async def push(self, html: str) -> None:
        if html:
            async with self.send_lock:
                await self.websocket.send_text(html)

    # Hub events -----------------------------------------------------------------------------------

    async def follow(self, subscription: Any) -> None:
        async for item in subscription:
            moved = item.get("type") == "groups" and self.group_id != self.current_group()
            names, coalesce = fragments_for(self.audience, item, self.group_id, moved)
            if coalesce:
                self.pending.update(names)
                if self.flush_task is None or self.flush_task.done():
                    self.flush_task = asyncio.create_task(self.flush_later())
            elif names:
                await self.push(self.render(names))

    async def flush_later(self) -> None:
        # Tallies arrive in bursts; one push per interval carries them all.
        await asyncio.sleep(self.settings.tally_push_interval)
        names, self.pending = tuple(sorted(self.pending)), set()
        await self.push(self.render(names))

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
                await self.push(views.participant_flash(RATE_LIMITED))
                continue
            try:
                # In a worker thread: waiting for the write lock must not stall the other sockets.
                reply, events = await asyncio.to_thread(self.handle, raw)
            except Revoked as exc:
                await self.websocket.close(code=POLICY_VIOLATION, reason=str(exc))
                return
            await self.push(reply)
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
                    raise Revoked("Ukendt deltager: deltag igen med koden")
                mid = inbox.message_id(message)
                content = inbox.digest(message)
                done = inbox.already_done(db, person, mid, content)
                if action not in ACKS:
                    return views.participant_flash("Ukendt handling. Genindlæs siden.", msg=mid), []
                ack = ACKS[action]
                if done is not None:  # a resend: answered with the current truth, nothing applied
                    return self.render(ack, msg=mid), []
                inbox.remember(db, person, mid, content)  # the service commits it with the effect
                if action == "vote":
                    notice = f"Din stemme ({option}) er gemt."
                    events = services.vote(db, session, person, case_id, option, text)
                    return self.render(ack, msg=mid, notice=notice), events
                if action == "reason":
                    notice = "Din begrundelse er gemt."
                    events = services.save_reason(db, session, person, case_id, text)
                    return self.render(ack, msg=mid, notice=notice, saved=True), events
                base = _int(message.get("base_version"))
                answer_text = _text(message, "text")
                notice = f"Gruppens svar er gemt (version {base + 1})."
                try:
                    _, events = services.save_group_answer(
                        db, session, person, case_id, option, answer_text, base
                    )
                except services.AnswerConflict:
                    conflict = {"conflict": True, "draft_option": option, "draft_text": answer_text}
                    return self.render(ack, msg=mid, **conflict), []
                return self.render(ack, msg=mid, notice=notice, ack=True), events
        except RuleError as exc:
            # The refusal and the current truth together, so a stale screen corrects itself.
            return views.participant_flash(str(exc), msg=mid) + self.render(("header", "stage")), []


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
        return f"Beskeden er for stor (højst {limit // 1024} KB)."
    try:
        message = json.loads(raw)
    except ValueError:
        return "Beskeden kunne ikke læses. Genindlæs siden, hvis det sker igen."
    if not isinstance(message, dict) or not isinstance(message.get("action"), str):
        return "Beskeden mangler en handling. Genindlæs siden, hvis det sker igen."
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
        await _refuse(websocket, FOREIGN_ORIGIN)
        return
    with Db(websocket.app.state.engine) as db:
        person = services.participant_by_token(db, websocket.cookies.get(PARTICIPANT_COOKIE))
    if person is None or person.id is None:
        await _refuse(websocket, "Ukendt deltager: deltag igen med koden")
        return
    await websocket.accept()
    await Connection(websocket, Audience.PARTICIPANT, person.session_id, person.id).run()


async def _staff_socket(websocket: WebSocket, code: str, audience: Audience) -> None:
    if not origin_allowed(websocket.app.state.settings, websocket):
        await _refuse(websocket, FOREIGN_ORIGIN)
        return
    user_id = websocket.session.get("user_id") if "session" in websocket.scope else None
    with Db(websocket.app.state.engine) as db:
        user = db.get(User, user_id) if isinstance(user_id, int) else None
        try:
            session = services.session_by_code(db, code)
        except RuleError:
            session = None
    if user is None or user.role != "facilitator" or session is None or session.id is None:
        await _refuse(websocket, "Log ind som facilitator")
        return
    await websocket.accept()
    await Connection(websocket, audience, session.id, None).run()


@router.websocket("/ws/projector/{code}")
async def projector_socket(websocket: WebSocket, code: str) -> None:
    await _staff_socket(websocket, code, Audience.PROJECTOR)


@router.websocket("/ws/facilitator/{code}")
async def facilitator_socket(websocket: WebSocket, code: str) -> None:
    await _staff_socket(websocket, code, Audience.FACILITATOR)
