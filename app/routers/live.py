"""Websockets: one per open page. Full view on (re)connect, then fragments as events arrive."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

from fastapi import APIRouter, WebSocket
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session as Db

from app import access, auth, i18n, logins, presence, services, views
from app.commands.messages import PhoneMessage, Revoked
from app.config import Settings
from app.deps import DEVICE_COOKIE, PARTICIPANT_COOKIE, public_base
from app.domain import RuleError, phone_message
from app.feed import Feed, Feeds
from app.live_rules import Audience, Shown
from app.models import Participant, Session, User
from app.ratelimit import RateLimit
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
        self.saving = False  # a save of the group's answer is with the writer (app.feed)
        self.answer_shown: Shown | None = None  # the group's answer its last such reply showed
        self.closing: asyncio.Task[None] | None = None
        app = websocket.app
        self.settings: Settings = app.state.settings
        self.base_url = public_base(self.settings, str(websocket.base_url))
        self.group_id: int | None = None
        self.language = i18n.current.get()  # set for this socket by i18n.Language
        self.rate = RateLimit(RATE_LIMIT, 60)
        self.outbox = Outbox()
        self.last_words: tuple[str, int] | None = None  # sent just before the server closes
        self.writer: Writer = app.state.phone_writer
        self.duties = set(app.state.library.duty_map())  # what "the heaviest duty" may name
        self.duty_order = list(app.state.library.duty_map())
        device = websocket.cookies.get(DEVICE_COOKIE, "")
        self.device = auth.token_hash(device) if device else ""

    async def run(self) -> None:
        feeds: Feeds = self.websocket.app.state.feeds
        async with feeds.open(self.session_id, self) as feed:
            self.send(await feed.full_view(self))
            sending = asyncio.create_task(self.send_outbox(feed))
            try:
                await self.read()
            finally:
                sending.cancel()
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

    async def send_outbox(self, feed: Feed) -> None:
        while True:
            html = await self.outbox.get()
            await self.websocket.send_text(html or await feed.full_view(self))

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
            self.saving = message["action"] == "answer"
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
            finally:
                self.saving = False


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


def _participant(engine: Engine, token: str | None) -> Participant | None:
    with Db(engine) as db:
        return services.participant_by_token(db, token)


def _staff(engine: Engine, user_id: object, code: str) -> tuple[User | None, Session | None, bool]:
    """The page's facilitator, the session, and whether they may open its pages (app.access)."""
    with Db(engine) as db:
        user = db.get(User, user_id) if isinstance(user_id, int) else None
        try:
            session = services.session_by_code(db, code)
        except RuleError:
            session = None
        allowed = user is not None and session is not None and access.part_in(db, session, user.id)
        return user, session, bool(allowed)


@router.websocket("/ws/p")
async def participant_socket(websocket: WebSocket) -> None:
    if not origin_allowed(websocket.app.state.settings, websocket):
        await _refuse(websocket, i18n.gettext("Siden kommer fra et andet websted"))
        return
    try:
        person = await asyncio.to_thread(
            _participant, websocket.app.state.engine, websocket.cookies.get(PARTICIPANT_COOKIE)
        )
    except DATABASE_DOWN:
        await _try_later(websocket)
        return
    if person is None or person.id is None or person.left_at is not None:
        await _refuse(websocket, i18n.gettext("Ukendt deltager: deltag igen med koden"))
        return
    try:
        # Seen now; a phone back after a while is counted again (and given a group if it has none).
        await websocket.app.state.writer.run(presence.arrive, person.session_id, person.id)
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
        user, session, allowed = await asyncio.to_thread(
            _staff, websocket.app.state.engine, user_id, code
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
