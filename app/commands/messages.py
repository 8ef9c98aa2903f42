"""A phone's websocket message as a job for the writer (app.writer): batched with whatever else
arrived, applied under its own savepoint, answered from the stored truth after the batch's commit.
The socket (app.routers.live) only parses and hands it over; the services change the rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlmodel import Session as Db
from sqlmodel import col, select

from app import batch_reads, casework, i18n, inbox, services, views
from app.db import among
from app.domain import RuleError
from app.domain.phases import Format
from app.hub import Event
from app.i18n import N_
from app.live_rules import ANSWER_REPLY, Shown
from app.models import Participant, Session, SessionCase
from app.room import Room, load_room

PREFETCHED = "phone_messages.prefetched"
# The batch's phones, their sessions and those sessions' current cases (built once: app.db.among).
_PEOPLE = select(Participant).where(among(col(Participant.id), "ids"))
_SESSIONS = select(Session).where(among(col(Session.id), "ids"))
_CURRENT = (
    select(SessionCase)
    .join(Session, col(SessionCase.session_id) == col(Session.id))
    .where(among(col(Session.id), "ids"))
    .where(col(SessionCase.position) == col(Session.position))
)


class Sender(Protocol):
    """What a message needs to know of the page that sent it (app.routers.live.Connection)."""

    session_id: int
    participant_id: int | None
    answer_shown: Shown | None  # what its last reply showed of the group's answer (app.feed)
    language: str
    duties: set[str]  # what "the heaviest duty" may name
    duty_order: list[str]
    device: str  # the browser's key, hashed (kollegasparring: a case kept open)


@dataclass(eq=False)
class Page:
    """A Sender as plain data: what crosses to a writing process of its own (app.phone_writer),
    and a page for tests and benches that write batches directly."""

    session_id: int
    participant_id: int | None
    answer_shown: Shown | None = None
    language: str = "da"
    duties: set[str] = field(default_factory=set)
    duty_order: list[str] = field(default_factory=list)
    device: str = ""

    @classmethod
    def of(cls, page: Sender) -> Page:
        return cls(
            page.session_id,
            page.participant_id,
            page.answer_shown,
            page.language,
            page.duties,
            page.duty_order,
            page.device,
        )


# A group answer refused over a newer save: the form stays as the person left it; the reply sets
# its base to the newer version and shows that version beside their text (answer_base.html).
REFUSED_ANSWER = ("answer_base", "answer", "flash")
ACKS = {  # what a phone gets back for each kind of message
    "vote": ("vote_form", "flash"),
    "reason": ("reason_form", "flash"),
    # The group's answer as this batch left it; the feed pushes it to the group's other phones.
    "answer": (*ANSWER_REPLY, "flash"),
    # A phone back mid-merge (its draft was refused over a newer save, then the page was drawn
    # anew: sparring.js): the refusal's reply again, the saved version beside the draft.
    "merging": REFUSED_ANSWER,
    "area": ("header", "stage", "flash"),
    # Kollegasparring with own cases: the group's case panel answers each of these.
    **dict.fromkeys(
        ("case", "take", "claim", "duty", "done", "close", "followup", "questions"),
        ("groupcase", "flash"),
    ),
}
CHECKED_FIRST = ("vote", "reason", "answer")  # the crowd's messages: see PhoneMessage.checks_first
CASEWORK_NOTICES = {
    "case": N_("Din sag er gemt."),
    "take": N_("Du er case-giver."),
    "claim": N_("Du er case-giver."),
    "done": N_("Gruppen er klar."),
    "close": N_("Sagen er lukket."),
    "followup": N_("Opfølgningen er gemt."),
    "questions": N_("Dine spørgsmål er gemt."),
}


class Revoked(Exception):
    """The page's person no longer exists in this session: the socket is closed."""


class PhoneMessage:
    """One phone message as a job for the writer: applied, then answered from the stored truth.

    The message's id is committed with its effect: a resend after a lost ack is acknowledged
    again without being applied twice, and the same id with other content is refused.
    """

    def __init__(self, page: Sender, message: dict[str, Any]) -> None:
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
        """The batch's phones, sessions, their current cases and message ids, each read once for
        all of them; and the rows the messages will look up (app.batch_reads).

        The rows are held in db.info for the batch: the identity map holds objects weakly, so a
        list dropped here would let every db.get in apply query again (a round trip each on
        PostgreSQL)."""
        people_ids = list({m.page.participant_id for m in messages})
        session_ids = list({m.page.session_id for m in messages})
        people = db.exec(_PEOPLE, params={"ids": people_ids}).all()
        sessions = db.exec(_SESSIONS, params={"ids": session_ids}).all()
        current = db.exec(_CURRENT, params={"ids": [s.id for s in sessions]}).all()
        db.info[PREFETCHED] = [*people, *sessions, *current]
        batch_reads.load(db, sessions, current, people, {m.action for m in messages})
        ids = [(m.page.participant_id, m.message.get("id")) for m in messages]
        inbox.recall(db, [(p, i) for p, i in ids if p is not None and isinstance(i, str)])

    def apply(self, db: Db) -> None:
        message, page = self.message, self.page
        session = batch_reads.get(db, Session, page.session_id)
        person = batch_reads.get(db, Participant, page.participant_id)
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
        elif self.action == "merging":  # nothing written, nor remembered: a resend asks again
            services.answering_case(db, session, person, case_id)
            self.extra = {"conflict": True}
            return
        elif self.action == "reason":
            reflection = session.format == Format.KOLLEGASPARRING
            saved = N_("Din refleksion er gemt.") if reflection else N_("Din begrundelse er gemt.")
            self.notice, self.extra = (saved, {}), {"saved": True}
            self.events = services.save_reason(db, session, person, case_id, text)
        else:
            self.extra = {"ack": True}
            answer, self.events = services.save_group_answer(
                db,
                session,
                person,
                case_id,
                option,
                _text(message, "text"),
                _int(message.get("base_version")),
                duty,
                page.duties,
            )
            notice = N_("Gruppens svar er gemt (version %(version)s).")
            self.notice = (notice, {"version": answer.version})
        # Staged after the effect (a refusal stages nothing): committed together with it.
        inbox.remember(db, person, self.mid, content)

    @property
    def checks_first(self) -> bool:
        """A vote, reason or group answer refuses before it stages anything (app.writer)."""
        return self.action in CHECKED_FIRST

    def answer(self, db: Db, error: Exception | None) -> str:
        # The writer's thread answers phones of every language: each in its own.
        token = i18n.current.set(self.page.language)
        try:
            return self._answer(db, error)
        finally:
            i18n.current.reset(token)

    def _answer(self, db: Db, error: Exception | None) -> str:
        page = self.page
        if isinstance(error, services.AnswerConflict):  # nothing applied; the phone keeps its draft
            self.ack, self.notice, self.extra = REFUSED_ANSWER, ("", {}), {"conflict": True}
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
        batch = _batch_room(db, page.session_id, whole=False)
        reply = views.phone_reply(batch, person, self.ack, msg=self.mid, **notice, **self.extra)
        if self.action in ("answer", "merging"):
            # The group's answer as this reply shows it (a conflict's too, the saved version
            # beside the draft): the feed does not push this page the same again.
            page.answer_shown = (person.group_id, batch.answer_version(person.group_id))
        return reply

    def person(self, db: Db) -> Participant:
        person = batch_reads.get(db, Participant, self.page.participant_id)
        assert person is not None
        return person


STAGE = ("header", "stage")


def _batch_room(db: Db, session_id: int, whole: bool) -> Room:
    """The room as this batch left it, read once for all the batch's answers: whole (beside a
    refusal), or just the rows of the phones that sent messages (their own forms)."""
    key = ("room", session_id, whole)
    if key not in db.info:
        session = batch_reads.get(db, Session, session_id)
        assert session is not None
        people = None if whole else db.info[("answered", session_id)]
        db.info[key] = load_room(db, session, people)
    room: Room = db.info[key]
    return room


def _casework(
    db: Db, session: Session, person: Participant, action: str, m: dict[str, Any], page: Sender
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
