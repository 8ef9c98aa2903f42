"""The open pages of one session in this process, fed from one hub subscription.

Per event the room is loaded once, the fragments each page needs are worked out (app.live_rules),
and a view that several pages share (projector, control page) is rendered once. Tally pushes to the
staff pages are coalesced: at most one per interval per session, the first one at once. Each page
has a small outbox that its own writer drains, so one slow phone never holds up the room. When the
current case's timer runs out, the feed tells its pages itself (a "time_up" event of its own): the
reveal gate opens then, with nobody pressing anything.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session as Db

from app import i18n, views
from app.domain.phases import Phase
from app.hub import Event, Hub, session_channel, unpacked
from app.live_rules import ANSWER_REPLY, FULL, Audience, Shown, answer_push, fragments_for
from app.models import Participant, Session, utcnow
from app.room import Room, load_room, with_answers, with_newcomers, with_posts, with_votes

YIELD_EVERY = 50  # renders between giving other sockets a turn
TALK_ONLY = ("posts", "answer", "answer_form")  # a phone's fragments that exist while groups talk
GROUP_SCOPED = ("post", "answer", "join")  # events that change one group's phones at most
# A phone's fragments that are the same on every phone of its group (no "you" in them, no draft):
# a push of a group's new answer renders them once per group and language, not once per phone.
# Every fragment an "answer" event sends a phone must be here, or each phone renders its own.
GROUP_SHARED = frozenset(("answer", "answer_form", "own_answer"))
STAFF = "staff"  # Feed.seated: the pages that are not phones (projector, control page)
ALARM_LATE = 0.05  # seconds after a deadline: the views rendered then see the time as up
# Events that change only a part of the room, and how each part is re-read: the whole case's
# newcomers or votes, or only the groups the events named (their reasons, their answer).
WHOLE_CASE: dict[str, Callable[[Db, Room], Room]] = {"join": with_newcomers, "vote": with_votes}
BY_GROUP: dict[str, Callable[[Db, Room, set[int | None]], Room]] = {
    "post": with_posts,
    "answer": with_answers,
}
PARTIAL = WHOLE_CASE.keys() | BY_GROUP.keys()


class Page(Protocol):
    """What the feed needs from an open page (app.routers.live.Connection)."""

    audience: Audience
    participant_id: int | None
    group_id: int | None
    base_url: str
    language: str  # the page's person's, so a push reads like the page it lands on
    user_id: int | None  # a staff page's facilitator
    saving: bool  # its save of the group's answer is with the writer (live_rules.answer_push)
    answer_shown: Shown | None  # the group's answer its last reply to such a save showed

    def send(self, html: str) -> None: ...

    def revoke(self) -> None: ...


class Feed:
    def __init__(self, engine: Engine, hub: Hub, session_id: int, interval: float) -> None:
        self.engine = engine
        self.hub = hub
        self.session_id = session_id
        self.interval = interval
        self.pages: set[Page] = set()
        self.seats: dict[object, tuple[Page, ...]] | None = None  # pages by group; see seated
        self.pending: dict[Page, set[str]] = {}
        self.flusher: asyncio.Task[None] | None = None
        self.last_flush = 0.0
        # The room as of the last event handled: anything newer has an event still on its way,
        # and a page registered before it renders will receive that event.
        self.cached: Room | None = None
        self.changed: set[str] = set()  # events since, each of which changed only a part of it
        # The groups whose reasons ("post") or answer ("answer") changed since: only theirs are read.
        self.touched: dict[str, set[int | None]] = {kind: set() for kind in BY_GROUP}
        self.generation = 0  # counts the events that changed the whole room
        self.reading = asyncio.Lock()  # one read of the room at a time
        self.task: asyncio.Task[None] | None = None
        self.deadline: datetime | None = None  # the timer the alarm below is set for
        self.alarm: asyncio.TimerHandle | None = None
        self.ringing: asyncio.Task[None] | None = None

    def seated(self, group: object) -> tuple[Page, ...]:
        """The phones of a group (STAFF: the pages that are not phones), indexed until a page
        comes, goes or changes group."""
        if self.seats is None:
            seats: dict[object, list[Page]] = {}
            for page in self.pages:
                place = page.group_id if page.audience is Audience.PARTICIPANT else STAFF
                seats.setdefault(place, []).append(page)
            self.seats = {place: tuple(pages) for place, pages in seats.items()}
        return self.seats.get(group, ())

    def seat(self, page: Page, person: Participant) -> None:
        """The phone's group as the room has it (a regrouping moves it)."""
        if page.group_id != person.group_id:
            page.group_id, self.seats = person.group_id, None

    # The room and rendering ----------------------------------------------------------------------

    async def room(self, participant_id: int | None = None) -> Room:
        """The room as of the last event handled, read in a worker thread when an event changed it
        (one read at a time: the pages that ask meanwhile get that read's room)."""
        cached = self.cached
        if cached is not None and participant_id is not None and not cached.person(participant_id):
            self.changed.add("join")  # a newcomer whose join is still on its way
        async with self.reading:
            room = self.cached
            if room is not None and not self.changed:
                return room
            changed, self.changed = self.changed, set()
            touched, self.touched = self.touched, {kind: set() for kind in BY_GROUP}
            generation = self.generation
            room = await asyncio.to_thread(self._load, room, changed, touched)
            if generation == self.generation:  # else an event since wants the whole room again
                self.cached = room
            return room

    def _load(
        self, room: Room | None, changed: set[str], touched: dict[str, set[int | None]]
    ) -> Room:
        with Db(self.engine) as db:
            if room is None:
                session = db.get(Session, self.session_id)
                assert session is not None
                return load_room(db, session)
            for kind, whole in WHOLE_CASE.items():  # newcomers first: their rows come next
                if kind in changed:
                    room = whole(db, room)
            for kind, by_group in BY_GROUP.items():
                if kind in changed:
                    room = by_group(db, room, touched[kind])
            return room

    def render(self, page: Page, names: tuple[str, ...], room: Room) -> str:
        # The feed's task runs in the language of whichever page opened it; each page has its own.
        token = i18n.current.set(page.language)
        try:
            return self._render(page, names, room)
        finally:
            i18n.current.reset(token)

    def _render(self, page: Page, names: tuple[str, ...], room: Room) -> str:
        if page.audience is Audience.PARTICIPANT:
            person = room.person(page.participant_id)
            if person is None:
                return ""
            self.seat(page, person)
            if not room.talking:  # a phone shows its group's texts only while the groups talk
                names = talk_left_out(names)
            if not room.phone_own_answer:  # its group's answer alone: a larger room's results
                names = tuple(n for n in names if n != "own_answer")
            elif room.own_cases:  # own cases: no group posts; the advice form only when advising
                advising = room.phase is Phase.GROUP_ANSWER
                names = tuple(n for n in names if n != "posts" and (advising or n not in TALK_ONLY))
            return views.participant(room, person, names)
        if page.audience is Audience.PROJECTOR:
            return views.projector(room, names, page.base_url)
        return views.facilitator(room, names)

    async def full_view(self, page: Page) -> str:
        return self.render(page, FULL[page.audience], await self.room(page.participant_id))

    async def push(self, targets: dict[Page, tuple[str, ...]]) -> None:
        """Render and queue fragments: per phone (its view is its own), once per shared view."""
        room = await self.room()
        shared: dict[tuple[object, ...], str] = {}
        for n, (page, names) in enumerate(targets.items(), 1):
            if page.audience is Audience.PARTICIPANT and any(n in ANSWER_REPLY for n in names):
                names = self.unanswered(page, names, room)
                if not names:
                    continue
            key = self.shared_key(page, names, room)
            if key is None:
                page.send(self.render(page, names, room))
            else:
                if key not in shared:
                    shared[key] = self.render(page, names, room)
                page.send(shared[key])
            if n % YIELD_EVERY == 0:
                await asyncio.sleep(0)

    def unanswered(self, page: Page, names: tuple[str, ...], room: Room) -> tuple[str, ...]:
        """A phone's push without what its own reply shows of its group's answer; held back for
        the next round while that reply is still to come (live_rules.answer_push)."""
        person = room.person(page.participant_id)
        current = (
            None if person is None else (person.group_id, room.answer_version(person.group_id))
        )
        names, held = answer_push(names, page.saving, page.answer_shown, current)
        if held:
            self.pending.setdefault(page, set()).update(held)
        return names

    # Events ---------------------------------------------------------------------------------------

    async def follow(self, subscribed: asyncio.Future[None]) -> None:
        async with self.hub.subscribe(session_channel(self.session_id)) as subscription:
            subscribed.set_result(None)
            async for message in subscription:
                for event in unpacked(message):
                    await self.dispatch(event)

    async def dispatch(self, event: Event) -> None:
        kind = event.get("type")
        if kind == "access":  # unshared: that facilitator's open pages close (app.access)
            for page in tuple(self.pages):
                if page.user_id is not None and page.user_id == event.get("user"):
                    page.revoke()
            return
        if kind in PARTIAL:
            self.changed.add(kind)
            if kind in BY_GROUP:
                self.touched[kind].add(event.get("group"))
        else:
            self.cached, self.generation = None, self.generation + 1
        moved = await _mover(self, event)
        every_answer = await _every_answer(self, event)
        now: dict[Page, tuple[str, ...]] = {}
        # Asked once per kind of page, not per page: a thousand phones are a few hundred groups.
        rules: dict[tuple[Audience, int | None, bool], tuple[tuple[str, ...], bool]] = {}
        # A group's reason or answer (and a newcomer) changes that group's phones at most, a vote
        # no phone: the others are not even looked at. A room voting with reasons sends one such
        # event per group per batch: 750 events by 1,000 pages, each walked, at 3,000 phones.
        if kind == "vote":
            pages = self.seated(STAFF)
        elif kind in GROUP_SCOPED:
            pages = self.seated(STAFF) + self.seated(event.get("group"))
        else:
            pages = tuple(self.pages)
        # What only shows while the groups talk a phone would render to nothing (see _render):
        # left out now, a reason saved with a vote makes no pending push, so a worker with only
        # phones reads no rows for it (a tenth of three workers' CPU in a vote with reasons).
        # The last room read says whether they talk; none read yet: they might.
        quiet = self.cached is not None and not self.cached.talking
        for page in pages:
            key = (page.audience, page.group_id, moved(page))
            rule = rules.get(key)
            if rule is None:
                rule = rules[key] = fragments_for(
                    page.audience, event, page.group_id, key[2], every_answer
                )
                if quiet and page.audience is Audience.PARTICIPANT:
                    rule = rules[key] = (talk_left_out(rule[0]), rule[1])
            names, coalesce = rule
            if coalesce and names:
                self.pending.setdefault(page, set()).update(names)
            elif names:
                now[page] = names
        if now:
            await self.push(now)
        if self.pending and (self.flusher is None or self.flusher.done()):
            self.flusher = asyncio.create_task(self.flush())
        if kind in ("timer", "phase", "resync"):  # what can set or move a timer
            await self.watch_timer()

    async def watch_timer(self) -> None:
        """Set the alarm for the current case's timer (a new, moved or stopped timer resets it)."""
        deadline = (await self.room()).deadline
        if deadline == self.deadline:
            return
        self.deadline = deadline
        if self.alarm is not None:
            self.alarm.cancel()
            self.alarm = None
        left = (deadline - utcnow()).total_seconds() if deadline is not None else 0.0
        if left > 0:  # a timer already out shows as out in every view rendered from now on
            self.alarm = asyncio.get_running_loop().call_later(left + ALARM_LATE, self.ring)

    def ring(self) -> None:
        self.alarm = None
        self.ringing = asyncio.create_task(self.dispatch({"type": "time_up"}))

    async def flush(self) -> None:
        """Push what is pending, at most once per interval, until nothing is: an event that comes
        while a push waits for the room leaves its pages pending for the next round."""
        loop = asyncio.get_running_loop()
        while self.pending:
            await asyncio.sleep(max(0.0, self.last_flush + self.interval - loop.time()))
            self.last_flush = loop.time()
            pending, self.pending = self.pending, {}
            await self.push({p: tuple(sorted(n)) for p, n in pending.items() if p in self.pages})

    def shared_key(
        self, page: Page, names: tuple[str, ...], room: Room
    ) -> tuple[object, ...] | None:
        """What makes this push the same as another page's (None: it is this page's own view)."""
        if page.audience is not Audience.PARTICIPANT:
            return (page.audience, page.base_url, page.language, names)
        person = room.person(page.participant_id)
        if person is None or not GROUP_SHARED.issuperset(names):
            return None
        self.seat(page, person)  # as a render would
        return (page.audience, person.group_id, page.language, names)

    async def close(self) -> None:
        if self.alarm is not None:
            self.alarm.cancel()
        for task in (self.task, self.flusher, self.ringing):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def talk_left_out(names: tuple[str, ...]) -> tuple[str, ...]:
    """A phone's fragments without those that exist only while the groups talk."""
    return tuple(name for name in names if name not in TALK_ONLY)


async def _mover(feed: Feed, event: Event) -> Callable[[Page], bool]:
    """Whether a phone's group changed (only a regrouping can move anyone)."""
    if event.get("type") != "groups":
        return lambda _page: False
    room = await feed.room()
    return lambda page: (
        page.audience is Audience.PARTICIPANT
        and (person := room.person(page.participant_id)) is not None
        and person.group_id != page.group_id
    )


async def _every_answer(feed: Feed, event: Event) -> bool:
    """Whether the phones' results list every group's answer (a small room): a hidden or shown
    answer then redraws every phone, else only its own group's (app/domain/visibility.py)."""
    if event.get("type") != "moderated":
        return True
    return (await feed.room()).phone_all_answers


class Feeds:
    """The process's feeds, one per session with open pages; app.state.feeds."""

    def __init__(self, engine: Engine, hub: Hub, interval: float) -> None:
        self.engine = engine
        self.hub = hub
        self.interval = interval
        self.feeds: dict[int, Feed] = {}
        self.lock = asyncio.Lock()

    @asynccontextmanager
    async def open(self, session_id: int, page: Page) -> AsyncIterator[Feed]:
        """Register a page; it hears every event published from now on."""
        async with self.lock:
            feed = self.feeds.get(session_id)
            if feed is None:
                feed = Feed(self.engine, self.hub, session_id, self.interval)
                subscribed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                feed.task = asyncio.create_task(feed.follow(subscribed))
                await _started(feed.task, subscribed)
                self.feeds[session_id] = feed
            feed.pages.add(page)
            feed.seats = None
            await feed.watch_timer()
        try:
            yield feed
        finally:
            feed.pages.discard(page)
            feed.seats = None
            feed.pending.pop(page, None)
            if not feed.pages and self.feeds.get(session_id) is feed:
                del self.feeds[session_id]
                await feed.close()


async def _started(task: asyncio.Task[Any], subscribed: asyncio.Future[None]) -> None:
    """Wait for the subscription; a hub that cannot subscribe fails the page that asked."""
    await asyncio.wait({task, subscribed}, return_when=asyncio.FIRST_COMPLETED)
    if not subscribed.done():
        subscribed.cancel()
        await task  # raises the hub's error
