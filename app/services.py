"""Commands: load, ask the domain, persist, and return the events to publish after commit."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session as Db
from sqlmodel import col, func, select

from app import auth
from app.domain import RuleError, codes, grouping, phases, tally
from app.domain.phases import Format, Phase, Status
from app.hub import Event
from app.models import (
    Group,
    GroupAnswer,
    LibraryCase,
    Participant,
    Post,
    Session,
    SessionCase,
    User,
    Vote,
    utcnow,
)

MAX_ALIAS = 40
MAX_REASON = 2000
MAX_ANSWER = 4000
MAX_TITLE = 200
MAX_TIMER_SECONDS = 60 * 60


def _id(row: Session | SessionCase | Participant) -> int:
    """The primary key of a stored row (rows loaded from the db always have one)."""
    assert row.id is not None
    return row.id


def event(session: Session, kind: str, **data: object) -> Event:
    return {"type": kind, "session": session.id, **data}


# Facilitator: sessions --------------------------------------------------------------------------


def create_session(
    db: Db,
    user: User,
    title: str,
    slugs: list[str],
    group_size: int,
    fmt: str = Format.DILEMMA,
    timers: dict[str, int] | None = None,
) -> Session:
    title = title.strip()
    if not title:
        raise RuleError("Giv sessionen en titel")
    if len(title) > MAX_TITLE:
        raise RuleError(f"Titlen må højst være {MAX_TITLE} tegn")
    if not grouping.MIN_SIZE <= group_size <= grouping.MAX_SIZE:
        raise RuleError("Gruppestørrelsen skal være 3, 4 eller 5")
    if fmt not in Format.__members__.values():
        raise RuleError(f"Ukendt format: {fmt[:30]}")
    timers = check_timers(timers or {})
    if not slugs and fmt != Format.KOLLEGASPARRING:  # kollegasparring may run on own dilemmas
        raise RuleError("Vælg mindst én case")
    library = {
        c.slug: c for c in db.exec(select(LibraryCase).where(col(LibraryCase.slug).in_(slugs)))
    }
    missing = [s for s in slugs if s not in library or library[s].archived]
    if missing:
        raise RuleError(f"Ukendt case: {', '.join(missing)}")
    session = Session(
        code=_unused_code(db),
        title=title,
        format=fmt,
        timers=timers,
        group_size=group_size,
        facilitator_id=user.id,
    )
    db.add(session)
    db.flush()
    for position, slug in enumerate(slugs):
        db.add(session_copy(library[slug], _id(session), position))
    db.commit()
    db.refresh(session)
    return session


def session_copy(c: LibraryCase, session_id: int, position: int) -> SessionCase:
    """The session's own copy of a library case: later library edits never reach it."""
    return SessionCase(
        session_id=session_id,
        position=position,
        slug=c.slug,
        title=c.title,
        duty=c.duty,
        secondary_duties=list(c.secondary_duties),
        text=c.text,
        question=c.question,
        options=list(c.options),
        prompts=list(c.prompts),
    )


def check_timers(timers: dict[str, int]) -> dict[str, int]:
    """Seconds per phase for a session plan: known phases, each between 0 (none) and an hour."""
    for phase, seconds in timers.items():
        if phase not in Phase.__members__.values():
            raise RuleError(f"Ukendt fase i timerne: {phase[:30]}")
        if not 0 <= seconds <= MAX_TIMER_SECONDS:
            raise RuleError("En fases timer skal være mellem 0 og 60 minutter")
    return {phase: seconds for phase, seconds in timers.items() if seconds}


def _unused_code(db: Db) -> str:
    while True:
        code = codes.new_code()
        if db.exec(select(Session).where(Session.code == code)).first() is None:
            return code


def session_by_code(db: Db, raw_code: str) -> Session:
    code = codes.normalise(raw_code)
    session = db.exec(select(Session).where(Session.code == code)).first() if code else None
    if session is None:
        raise RuleError(
            f"Der findes ingen session med koden '{raw_code.strip()[:12]}'. Tjek koden på skærmen."
        )
    return session


def current_case(db: Db, session: Session) -> SessionCase:
    case = db.exec(
        select(SessionCase).where(
            SessionCase.session_id == session.id, SessionCase.position == session.position
        )
    ).first()
    if case is None:
        raise RuleError("Sessionen har ingen aktuel case")
    return case


def _case_count(db: Db, session: Session) -> int:
    return db.exec(
        select(func.count()).select_from(SessionCase).where(SessionCase.session_id == session.id)
    ).one()


def start_session(db: Db, session: Session, rng: random.Random | None = None) -> list[Event]:
    phases.check_start(Status(session.status), _case_count(db, session))
    session.status = Status.RUNNING
    session.position = 0
    db.add(session)
    _enter(db, session, current_case(db, session), Phase.PRESENT)
    _regroup(db, session, rng or random.Random())
    db.commit()
    return [event(session, "phase"), event(session, "groups")]


def change_phase(db: Db, session: Session, action: str) -> list[Event]:
    """next | back | skip (two forward) | closed, by the domain's transition rules."""
    if Status(session.status) is not Status.RUNNING:
        raise RuleError(f"Sessionen kører ikke (expected running, got {session.status})")
    case = current_case(db, session)
    here = Phase(case.phase)
    order = case_phases(session, case)
    if action == "next":
        target = phases.next_phase(here, order)
    elif action == "back":
        target = phases.previous_phase(here, order)
    elif action == "skip":
        target = phases.next_phase(phases.next_phase(here, order), order)
    elif action in Phase.__members__.values():
        target = Phase(action)
    else:
        raise RuleError(f"Ukendt handling: {action[:20]}")
    _enter(db, session, case, phases.check_transition(here, target, order))
    db.commit()
    return [event(session, "phase")]


def case_phases(session: Session, case: SessionCase) -> tuple[Phase, ...]:
    """The phases this case runs through: by the session's format and whether it has options."""
    return phases.sequence(Format(session.format), bool(case.options))


def _enter(db: Db, session: Session, case: SessionCase, phase: Phase) -> None:
    """Move a case into a phase; the phase's timer (session plan or format default) starts."""
    case.phase = phase
    seconds = phases.step_seconds(Format(session.format), phase, session.timers or {})
    case.deadline = utcnow() + timedelta(seconds=seconds) if seconds else None
    db.add(case)


def next_case(
    db: Db, session: Session, reshuffle: bool, rng: random.Random | None = None
) -> list[Event]:
    session.position = phases.check_next_case(
        Status(session.status), session.position, _case_count(db, session)
    )
    db.add(session)
    db.flush()
    case = current_case(db, session)
    _enter(db, session, case, Phase(case.phase))
    events = [event(session, "phase")]
    if reshuffle:
        _regroup(db, session, rng or random.Random())
        events.append(event(session, "groups"))
    db.commit()
    return events


def set_timer(db: Db, session: Session, seconds: int | None, extend: bool = False) -> list[Event]:
    case = current_case(db, session)
    if seconds is None:
        case.deadline = None
    else:
        if not 0 < seconds <= MAX_TIMER_SECONDS:
            raise RuleError("Timeren skal være mellem 1 sekund og 60 minutter")
        start = case.deadline if extend and case.deadline and case.deadline > utcnow() else utcnow()
        case.deadline = start + timedelta(seconds=seconds)
    db.add(case)
    db.commit()
    return [event(session, "timer")]


def end_session(db: Db, session: Session) -> list[Event]:
    phases.check_end(Status(session.status))
    session.status = Status.ENDED
    session.ended_at = utcnow()
    db.add(session)
    db.commit()
    return [event(session, "phase")]


# Groups -------------------------------------------------------------------------------------------


def _regroup(db: Db, session: Session, rng: random.Random) -> None:
    for old in db.exec(select(Group).where(Group.session_id == session.id, col(Group.active))):
        old.active = False
        db.add(old)
    people = list(db.exec(select(Participant).where(Participant.session_id == session.id)))
    for number, members in enumerate(grouping.partition(people, session.group_size, rng), start=1):
        group = Group(session_id=_id(session), number=number)
        db.add(group)
        db.flush()
        for person in members:
            person.group_id = group.id
            db.add(person)


def reshuffle(db: Db, session: Session, rng: random.Random | None = None) -> list[Event]:
    if Status(session.status) is Status.ENDED:
        raise RuleError("Sessionen er afsluttet")
    _regroup(db, session, rng or random.Random())
    db.commit()
    return [event(session, "groups")]


def move_participant(
    db: Db, session: Session, participant_number: int, group_number: int
) -> list[Event]:
    person = db.exec(
        select(Participant).where(
            Participant.session_id == session.id, Participant.number == participant_number
        )
    ).first()
    group = db.exec(
        select(Group).where(
            Group.session_id == session.id, col(Group.active), Group.number == group_number
        )
    ).first()
    if person is None or group is None:
        raise RuleError("Ukendt deltager eller gruppe")
    person.group_id = group.id
    db.add(person)
    db.commit()
    return [event(session, "groups")]


def _place(db: Db, session: Session, person: Participant) -> None:
    groups = list(db.exec(select(Group).where(Group.session_id == session.id, col(Group.active))))
    sizes = {
        g.id: db.exec(
            select(func.count()).select_from(Participant).where(Participant.group_id == g.id)
        ).one()
        for g in groups
        if g.id is not None
    }
    target = grouping.place_late_joiner(sizes)
    if target is None:
        group = Group(session_id=_id(session), number=len(groups) + 1)
        db.add(group)
        db.flush()
        target = group.id
    person.group_id = target


# Participants -------------------------------------------------------------------------------------


def join(db: Db, raw_code: str, alias: str) -> tuple[Session, Participant, str]:
    """A phone joins: returns its participant and the token for its cookie (shown once)."""
    session = session_by_code(db, raw_code)
    phases.check_join(Status(session.status))
    alias = " ".join(alias.split())
    if len(alias) > MAX_ALIAS:
        raise RuleError(f"Kaldenavnet må højst være {MAX_ALIAS} tegn")
    token = auth.new_token()
    number = (
        db.exec(
            select(func.max(Participant.number)).where(Participant.session_id == session.id)
        ).one()
        or 0
    ) + 1
    person = Participant(
        session_id=_id(session), number=number, token_hash=auth.token_hash(token), alias=alias
    )
    if Status(session.status) is Status.RUNNING:
        _place(db, session, person)
    db.add(person)
    db.commit()
    db.refresh(person)
    return session, person, token


def participant_by_token(db: Db, token: str | None) -> Participant | None:
    if not token:
        return None
    return db.exec(
        select(Participant).where(Participant.token_hash == auth.token_hash(token))
    ).first()


@dataclass
class Ack:
    ok: bool
    message: str
    events: list[Event]


def _case_for(db: Db, session: Session, case_id: object) -> SessionCase:
    """The current case, refusing a form sent for an earlier case (a stale phone)."""
    case = current_case(db, session)
    if case_id is not None and str(case_id) != str(case.id):
        raise RuleError("Casen er skiftet; din skærm er opdateret, prøv igen")
    return case


def vote(
    db: Db, session: Session, person: Participant, case_id: object, option: str, reason: str | None
) -> list[Event]:
    """An idempotent upsert per (person, case, round); an optional reason is saved with it."""
    case = _case_for(db, session, case_id)
    round_ = phases.voting_round(Status(session.status), Phase(case.phase))
    keys = tally.option_keys(len(case.options))
    if option not in keys:
        raise RuleError(f"Vælg en af mulighederne {', '.join(keys)}")
    row = db.exec(
        select(Vote).where(
            Vote.session_case_id == case.id, Vote.participant_id == person.id, Vote.round == round_
        )
    ).first()
    if row is None:
        row = Vote(
            session_case_id=_id(case), participant_id=_id(person), round=round_, option=option
        )
    row.option = option
    row.updated_at = utcnow()
    db.add(row)
    events = [event(session, "vote")]
    if reason is not None and reason.strip():
        events += _save_post(db, session, person, case, reason)
    db.commit()
    return events


def save_reason(
    db: Db, session: Session, person: Participant, case_id: object, text: str
) -> list[Event]:
    case = _case_for(db, session, case_id)
    phases.check_reason_open(Status(session.status), Phase(case.phase))
    events = _save_post(db, session, person, case, text)
    db.commit()
    return events


def _save_post(
    db: Db, session: Session, person: Participant, case: SessionCase, text: str
) -> list[Event]:
    text = text.strip()
    if len(text) > MAX_REASON:
        raise RuleError(f"Begrundelsen må højst være {MAX_REASON} tegn")
    row = db.exec(
        select(Post).where(Post.session_case_id == case.id, Post.participant_id == person.id)
    ).first()
    if row is None:
        row = Post(session_case_id=_id(case), participant_id=_id(person), text=text)
    row.text = text
    row.updated_at = utcnow()
    db.add(row)
    return [event(session, "post", group=person.group_id)]


@dataclass
class AnswerConflict(Exception):
    """Someone in the group saved first; the caller keeps this person's draft to merge."""

    current: GroupAnswer


def save_group_answer(
    db: Db,
    session: Session,
    person: Participant,
    case_id: object,
    option: str,
    text: str,
    base_version: int,
) -> tuple[GroupAnswer, list[Event]]:
    """Last write wins, but only over the version the writer saw: a stale base is a conflict."""
    case = _case_for(db, session, case_id)
    phases.check_group_answer_open(Status(session.status), Phase(case.phase))
    if person.group_id is None:
        raise RuleError("Du er ikke i en gruppe endnu")
    keys = tally.option_keys(len(case.options))
    if option and option not in keys:
        raise RuleError(f"Vælg en af mulighederne {', '.join(keys)}")
    text = text.strip()
    if len(text) > MAX_ANSWER:
        raise RuleError(f"Gruppens svar må højst være {MAX_ANSWER} tegn")
    if not option and not text:
        raise RuleError("Vælg en mulighed eller skriv gruppens begrundelse")
    row = db.exec(
        select(GroupAnswer).where(
            GroupAnswer.session_case_id == case.id, GroupAnswer.group_id == person.group_id
        )
    ).first()
    if row is None:
        row = GroupAnswer(session_case_id=_id(case), group_id=person.group_id)
    if base_version != row.version:
        raise AnswerConflict(row)
    row.option, row.text, row.version = option, text, row.version + 1
    row.members = db.exec(
        select(func.count()).select_from(Participant).where(Participant.group_id == person.group_id)
    ).one()
    row.updated_at = utcnow()
    db.add(row)
    db.commit()
    db.refresh(row)
    return row, [event(session, "answer", group=person.group_id)]
