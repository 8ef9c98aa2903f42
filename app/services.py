"""Commands: load, ask the domain, persist, and return the events to publish after commit."""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam
from sqlmodel import Session as Db
from sqlmodel import col, func, select, update

from app import auth, batch_reads
from app.db import among
from app.domain import (
    RuleError,
    casework,
    codes,
    gate,
    grouping,
    moderation,
    phases,
    presence,
    reveal,
    tally,
    visibility,
)
from app.domain.grouping import Mode
from app.domain.phases import Format, Phase, Status
from app.hub import Event
from app.models import (
    Group,
    GroupAnswer,
    GroupCase,
    LibraryCase,
    Participant,
    Post,
    Session,
    SessionCase,
    User,
    Vote,
    new_row,
    utcnow,
)
from app.room import PRESENCE, load_room

MAX_ALIAS = 40
MAX_REASON = 2000
MAX_ANSWER = 4000
MAX_TITLE = 200
MAX_TIMER_SECONDS = 60 * 60
MAX_AREAS = 12
MAX_AREA = 40


def _id(row: Session | SessionCase | Participant) -> int:
    """The primary key of a stored row (rows loaded from the db always have one)."""
    assert row.id is not None
    return row.id


def event(session: Session, kind: str, **data: object) -> Event:
    return {"type": kind, "session": session.id, **data}


# Facilitator: sessions --------------------------------------------------------------------------


def parse_areas(raw: str) -> list[str]:
    """The facilitator's list of areas, one per line; blank lines and repeats dropped."""
    areas = list(dict.fromkeys(" ".join(line.split()) for line in raw.splitlines()))
    areas = [a for a in areas if a]
    if len(areas) > MAX_AREAS:
        raise RuleError("areas.too_many", most=MAX_AREAS)
    too_long = [a for a in areas if len(a) > MAX_AREA]
    if too_long:
        raise RuleError("areas.too_long", most=MAX_AREA, area=too_long[0][:MAX_AREA])
    return areas


def create_session(
    db: Db,
    user: User,
    title: str,
    slugs: list[str],
    group_size: int,
    fmt: str = Format.DILEMMA,
    timers: dict[str, int] | None = None,
    areas: list[str] | None = None,
    results_on_phones: bool = True,
    group_cases: bool = False,
    follows: Session | None = None,
) -> Session:
    title = title.strip()
    if not title:
        raise RuleError("session.no_title")
    if len(title) > MAX_TITLE:
        raise RuleError("session.title_too_long", most=MAX_TITLE)
    if not grouping.MIN_SIZE <= group_size <= grouping.MAX_SIZE:
        raise RuleError("session.group_size", found=group_size)
    if fmt not in Format.__members__.values():
        raise RuleError("session.unknown_format", found=fmt[:30])
    timers = check_timers(timers or {})
    if not slugs and fmt != Format.KOLLEGASPARRING:  # kollegasparring may run on own dilemmas
        raise RuleError("session.no_cases_chosen")
    if group_cases and fmt != Format.KOLLEGASPARRING:
        raise RuleError("casework.not_group_cases")
    if group_cases and slugs:  # the groups bring their cases; a library case is given to a group
        raise RuleError("casework.no_library_plan")
    library = {
        c.slug: c for c in db.exec(select(LibraryCase).where(col(LibraryCase.slug).in_(slugs)))
    }
    missing = [s for s in slugs if s not in library or library[s].archived]
    if missing:
        raise RuleError("session.unknown_cases", found=missing)
    session = Session(
        code=_unused_code(db),
        title=title,
        format=fmt,
        timers=timers,
        group_size=group_size,
        facilitator_id=user.id,
        areas=areas or [],
        results_on_phones=results_on_phones,
        group_cases=group_cases,
        follows_id=follows.id if follows else None,
    )
    db.add(session)
    db.flush()
    for position, slug in enumerate(slugs):
        db.add(session_copy(library[slug], _id(session), position))
    if group_cases:
        # One round that every group runs in parallel on its own case: the step clock of the room.
        first = phases.sequence(Format(fmt), False, group_cases=True)[0]
        db.add(
            SessionCase(
                session_id=_id(session),
                position=0,
                slug="kollegasparring",
                title=title,
                duty="",
                text="",
                question="",
                phase=first,
            )
        )
    db.flush()
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
        perspective=c.perspective,
        perspective_source=", ".join(p for p in (c.perspective_source, c.perspective_ref) if p),
    )


def check_timers(timers: dict[str, int]) -> dict[str, int]:
    """Seconds per phase for a session plan: known phases, each between 0 (none) and an hour."""
    for phase, seconds in timers.items():
        if phase not in Phase.__members__.values():
            raise RuleError("timers.unknown_phase", found=phase[:30])
        if not 0 <= seconds <= MAX_TIMER_SECONDS:
            raise RuleError("timers.range")
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
        raise RuleError("none.session", code=raw_code.strip()[:12])
    return session


def current_case(db: Db, session: Session) -> SessionCase:
    case = db.exec(
        select(SessionCase).where(
            SessionCase.session_id == session.id, SessionCase.position == session.position
        )
    ).first()
    if case is None:
        raise RuleError("session.no_current_case")
    return case


def _case_count(db: Db, session: Session) -> int:
    return db.exec(
        select(func.count()).select_from(SessionCase).where(SessionCase.session_id == session.id)
    ).one()


def start_session(
    db: Db, session: Session, rng: random.Random | None = None, seen: str = ""
) -> list[Event]:
    if phases.start_came_late(seen, Status(session.status)):
        return []
    phases.check_start(Status(session.status), _case_count(db, session))
    session.status = Status.RUNNING
    session.position = 0
    db.add(session)
    case = current_case(db, session)
    _enter(db, session, case, case_phases(session, case, has_follow_ups(db, session))[0])
    _regroup(db, session, Mode.RANDOM, rng or random.Random())
    place_cases(db, session)
    db.flush()
    # One event for both: every page redraws whole, the phones with their new group's header.
    # As a phase and a regrouping it drew every phone's stage twice.
    return [event(session, "phase", regrouped=True)]


def change_phase(
    db: Db, session: Session, action: str, force: bool = False, seen: str = ""
) -> list[Event]:
    """next | back | skip (two forward) | a phase name, by the domain's transition rules.

    Moving to the reveal waits for every group's answer or the timer, unless forced. `seen`: the
    phase the pressing page showed; a relative press the room has moved past changes nothing.
    """
    if Status(session.status) is not Status.RUNNING:
        raise RuleError(
            "session.not_running", expected=Status.RUNNING, found=Status(session.status)
        )
    case = current_case(db, session)
    here = Phase(case.phase)
    if phases.came_late(action, seen, here):
        return []  # the page has the room as it is already, pushed after the first press
    order = case_phases(session, case, has_follow_ups(db, session))
    if action == "next":
        target = phases.next_phase(here, order)
    elif action == "back":
        target = phases.previous_phase(here, order)
    elif action == "skip":
        target = phases.next_phase(phases.next_phase(here, order), order)
    elif action in Phase.__members__.values():
        target = Phase(action)
    else:
        raise RuleError("action.unknown", found=action[:20])
    target = phases.check_transition(here, target, order)
    if Phase.REVEAL in order and gate.crosses_reveal(here, target):
        room = load_room(db, session)
        gate.check_reveal(len(room.answering_groups), room.answered_groups, room.time_up, force)
    _enter(db, session, case, target)
    db.flush()
    return [event(session, "phase")]


def case_phases(session: Session, case: SessionCase, follow_ups: bool = False) -> tuple[Phase, ...]:
    """The phases this case runs through: by the session's format and whether it has options."""
    return phases.sequence(
        Format(session.format), bool(case.options), session.group_cases, follow_ups
    )


def has_follow_ups(db: Db, session: Session) -> bool:
    """Whether the series' last meeting left open cases to follow up in this one."""
    if not session.group_cases:
        return False
    found = db.exec(
        select(GroupCase.id).where(
            GroupCase.session_id == session.id, GroupCase.origin == casework.Origin.CARRIED
        )
    ).first()
    return found is not None


def place_cases(db: Db, session: Session) -> None:
    """Kollegasparring with own cases: after people joined, moved or regrouped, each case goes
    with its case-giver to their group (one per group; app/domain/casework.place decides)."""
    if not session.group_cases:
        return
    db.flush()
    rows = list(db.exec(select(GroupCase).where(GroupCase.session_id == session.id)))
    active = {g.id for g in _active_groups(db, session)}
    group_of = {
        _id(p): (p.group_id if p.group_id in active else None)
        for p in db.exec(select(Participant).where(Participant.session_id == session.id))
    }
    facts = [
        casework.CaseFacts(
            id=r.id or 0,
            group=r.group_id if r.group_id in active else None,
            giver=r.giver_id,
            origin=casework.Origin(r.origin),
        )
        for r in rows
    ]
    placed = casework.place(facts, group_of, {g for g in active if g is not None})
    for row in rows:
        target = placed.get(row.id or 0)
        if row.group_id != target:
            row.group_id = target
            db.add(row)


def _enter(db: Db, session: Session, case: SessionCase, phase: Phase) -> None:
    """Move a case into a phase; the phase's timer (session plan or format default) starts."""
    case.phase = phase
    case.reveal_step = 0  # a result starts from its first part
    seconds = phases.step_seconds(Format(session.format), phase, session.timers or {})
    case.deadline = utcnow() + timedelta(seconds=seconds) if seconds else None
    db.add(case)


def next_case(
    db: Db,
    session: Session,
    mode: Mode = Mode.KEEP,
    rng: random.Random | None = None,
    seen: int | None = None,
) -> list[Event]:
    """Open the next case, regrouping first if asked (votes from the new case do not exist yet).
    `seen`: the position of the case the pressing page showed (phases.next_case_came_late)."""
    if phases.next_case_came_late(seen, session.position):
        return []
    position = phases.check_next_case(
        Status(session.status), session.position, _case_count(db, session)
    )
    if mode is Mode.DISAGREE:
        raise RuleError("groups.disagree_later", mode=Mode.DISAGREE)
    session.position = position
    db.add(session)
    db.flush()
    case = current_case(db, session)
    _enter(db, session, case, Phase(case.phase))
    events = [event(session, "phase")]
    if mode is not Mode.KEEP:
        _regroup(db, session, mode, rng or random.Random())
        events.append(event(session, "groups"))
    db.flush()
    return events


def set_timer(db: Db, session: Session, seconds: int | None, extend: bool = False) -> list[Event]:
    case = current_case(db, session)
    if seconds is None:
        case.deadline = None
    else:
        if not 0 < seconds <= MAX_TIMER_SECONDS:
            raise RuleError("timer.range")
        start = case.deadline if extend and case.deadline and case.deadline > utcnow() else utcnow()
        case.deadline = start + timedelta(seconds=seconds)
    db.add(case)
    db.flush()
    return [event(session, "timer")]


def set_reveal_step(db: Db, session: Session, step: int) -> list[Event]:
    """Which part of the result the projector shows (the split, the answers, the perspective)."""
    case = current_case(db, session)
    room = load_room(db, session)
    if not room.results_visible:
        raise RuleError("step.no_result")
    case.reveal_step = reveal.clamp(step, len(room.reveal_pages))
    db.add(case)
    db.flush()
    return [event(session, "step")]


def end_session(db: Db, session: Session) -> list[Event]:
    phases.check_end(Status(session.status))
    session.status = Status.ENDED
    session.ended_at = utcnow()
    db.add(session)
    db.flush()
    return [event(session, "phase")]


# Groups -------------------------------------------------------------------------------------------


def _grouped(db: Db, session: Session, mode: Mode, rng: random.Random) -> list[list[Participant]]:
    """The new groups a mode asks for (the domain decides; this only fetches what it needs).

    Only the people present are grouped: a phone that has gone is placed when it comes back.
    """
    people = {_id(p): p for p in _everyone(db, session) if _here(p)}
    if mode is Mode.RANDOM:
        return grouping.partition(list(people.values()), session.group_size, rng)
    if mode is Mode.MIX_AREAS:
        if not session.areas:
            raise RuleError("groups.no_areas")
        labels = {pid: p.area for pid, p in people.items()}
    else:
        votes = _first_votes(db, current_case(db, session))
        if not votes:
            raise RuleError("groups.no_votes", mode=Mode.DISAGREE)
        labels = {pid: votes.get(pid, "") for pid in people}
    return [[people[pid] for pid in g] for g in grouping.spread(labels, session.group_size, rng)]


def _first_votes(db: Db, case: SessionCase) -> dict[int, str]:
    rows = db.exec(select(Vote).where(Vote.session_case_id == case.id, Vote.round == 1))
    return {v.participant_id: v.option for v in rows}


def _everyone(db: Db, session: Session) -> list[Participant]:
    return list(db.exec(select(Participant).where(Participant.session_id == session.id)))


def _here(person: Participant) -> bool:
    return presence.is_present(person.seen_at, person.left_at, utcnow(), PRESENCE["window"])


def _active_groups(db: Db, session: Session) -> list[Group]:
    """The session's groups as they stand: a regrouping retires the old ones, not deletes them."""
    return list(db.exec(select(Group).where(Group.session_id == session.id, col(Group.active))))


def _regroup(db: Db, session: Session, mode: Mode, rng: random.Random) -> None:
    new_groups = _grouped(db, session, mode, rng)
    for person in _everyone(db, session):
        if not _here(person) and person.group_id is not None:
            person.group_id = None  # gone for now: placed in a group when the phone is back
            db.add(person)
    for old in _active_groups(db, session):
        old.active = False
        db.add(old)
    # All groups in one INSERT, then every member's move in one batch of UPDATEs: a flush per group
    # was two round trips each, 750 at the start of a room of 3,000 on PostgreSQL.
    groups = [Group(session_id=_id(session), number=n) for n in range(1, len(new_groups) + 1)]
    db.add_all(groups)
    db.flush()
    for group, members in zip(groups, new_groups, strict=True):
        for person in members:
            person.group_id = group.id
            db.add(person)


def regroup(
    db: Db,
    session: Session,
    mode: Mode,
    rng: random.Random | None = None,
    seen: Collection[int] = (),
) -> list[Event]:
    """Form new groups by the facilitator's chosen mode; keep changes nothing, and so does a press
    from a page whose groups a regrouping has replaced since (grouping.regroup_came_late)."""
    if Status(session.status) is not Status.RUNNING:
        raise RuleError("groups.not_running", expected=Status.RUNNING, found=Status(session.status))
    if mode is Mode.KEEP:
        return []
    active = [g.id for g in _active_groups(db, session) if g.id is not None]
    if grouping.regroup_came_late(seen, active):
        return []
    _regroup(db, session, mode, rng or random.Random())
    place_cases(db, session)
    db.flush()
    return [event(session, "groups"), *_cases_moved(session)]


def _cases_moved(session: Session) -> list[Event]:
    """After groups changed, every phone's case may have changed (kollegasparring, own cases)."""
    return [event(session, "case", groups=None)] if session.group_cases else []


def parse_mode(raw: str) -> Mode:
    try:
        return Mode(raw)
    except ValueError as exc:
        raise RuleError("groups.unknown_mode", found=raw[:20]) from exc


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
        raise RuleError("groups.unknown_member")
    person.group_id = group.id
    db.add(person)
    place_cases(db, session)
    db.flush()
    return [event(session, "groups"), *_cases_moved(session)]


def _place(db: Db, session: Session, person: Participant) -> None:
    """A late joiner, or someone back, goes to the smallest group (counting the people present)."""
    groups = _active_groups(db, session)
    sizes = {g.id: 0 for g in groups if g.id is not None}
    for other in _everyone(db, session):
        if other.group_id in sizes and other.id != person.id and _here(other):
            sizes[other.group_id] += 1
    target = grouping.place_late_joiner(sizes)
    if target is None:
        group = Group(session_id=_id(session), number=len(groups) + 1)
        db.add(group)
        db.flush()
        target = group.id
    person.group_id = target


# Participants -------------------------------------------------------------------------------------


def join(
    db: Db, raw_code: str, alias: str, token: str | None = None
) -> tuple[Session, Participant, str, bool]:
    """A phone joins: its participant, the token for its cookie and whether it was one already.

    A phone whose cookie already belongs to this session comes back to its own place (same
    participant, group, votes and drafts), whichever way it came: one person stays one person.
    """
    session = session_by_code(db, raw_code)
    alias = " ".join(alias.split())
    if len(alias) > MAX_ALIAS:
        raise RuleError("join.alias_too_long", most=MAX_ALIAS)
    known = participant_by_token(db, token)
    if token and known is not None and known.session_id == session.id:
        return session, come_back(db, session, known, alias), token, True
    phases.check_join(Status(session.status))
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
    db.flush()
    db.refresh(person)
    return session, person, token, False


def come_back(db: Db, session: Session, person: Participant, alias: str = "") -> Participant:
    """A participant joins again (after leaving, or from a new tab): same row, back in a group."""
    if Status(session.status) is Status.ENDED:
        return person  # nothing to come back to but the thank-you
    person.left_at = None
    person.seen_at = utcnow()
    if alias:
        person.alias = alias
    if Status(session.status) is Status.RUNNING and not _in_active_group(db, person):
        _place(db, session, person)
    db.add(person)
    db.flush()
    db.refresh(person)
    return person


def _in_active_group(db: Db, person: Participant) -> bool:
    group = db.get(Group, person.group_id) if person.group_id is not None else None
    return group is not None and group.active


# A page reconnecting sooner than this after its last sign of life writes nothing.
SEEN_AGAIN = timedelta(seconds=30)


def arrive(db: Db, session: Session, person: Participant) -> list[Event]:
    """A phone's page opened (or reconnected): seen now; someone who had gone gets a group again."""
    if person.left_at is not None:
        return []
    now, was_here = utcnow(), _here(person)
    events: list[Event] = []
    if Status(session.status) is Status.RUNNING and not _in_active_group(db, person):
        _place(db, session, person)
        events.append(event(session, "groups"))
    elif not was_here:
        events.append(event(session, "presence"))
    seen = person.seen_at
    if events or now - seen > SEEN_AGAIN:
        person.seen_at = now
        db.add(person)
        db.flush()
    return events


_SEEN = (
    update(Participant)
    .where(among(col(Participant.id), "ids"), col(Participant.left_at).is_(None))
    .values(seen_at=bindparam("now"))
)  # built once (app.db.among)


def mark_seen(db: Db, participant_ids: Collection[int]) -> None:
    """The beat: every phone with an open page here is still in the room."""
    if not participant_ids:
        return
    db.exec(_SEEN, params={"ids": list(participant_ids), "now": utcnow()})
    db.flush()


def leave(db: Db, session: Session, person: Participant) -> list[Event]:
    """A person leaves (from the phone, or removed by the facilitator once gone). Their votes,
    reasons and group answers stay: they took part. Joining again brings the same person back."""
    person.left_at = utcnow()
    person.group_id = None
    db.add(person)
    db.flush()
    return [event(session, "groups")]


def remove_participant(db: Db, session: Session, participant_number: int) -> list[Event]:
    person = db.exec(
        select(Participant).where(
            Participant.session_id == session.id, Participant.number == participant_number
        )
    ).first()
    if person is None or person.left_at is not None:
        raise RuleError("participants.unknown", number=participant_number)
    return leave(db, session, person)


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
    # Usually the phone names the current case: then it is the one db already holds, no query.
    digits = str(case_id)
    named = (
        batch_reads.get(db, SessionCase, int(digits))
        if digits.isdecimal() and len(digits) < 10
        else None
    )
    if named and named.session_id == session.id and named.position == session.position:
        return named
    case = current_case(db, session)
    if case_id is not None and str(case_id) != str(case.id):
        raise RuleError("case.moved_on")
    return case


def _check_duty(duty: str, known: Collection[str]) -> str:
    if duty and duty not in known:
        raise RuleError("duty.unknown")
    return duty


def _difficulty(raw: str) -> int | None:
    if not raw:
        return None
    if raw not in ("1", "2", "3", "4", "5"):
        raise RuleError("difficulty.range")
    return int(raw)


def set_area(db: Db, session: Session, person: Participant, area: str) -> list[Event]:
    """A phone names its area (optional); only the facilitator's list counts."""
    if area and area not in session.areas:
        raise RuleError("areas.unknown")
    person.area = area
    db.add(person)
    db.flush()
    return [event(session, "area")]


def vote(
    db: Db,
    session: Session,
    person: Participant,
    case_id: object,
    option: str,
    reason: str | None,
    duty: str = "",
    difficulty: str = "",
    known_duties: Collection[str] = (),
) -> list[Event]:
    """An idempotent upsert per (person, case, round); reason, heaviest duty and difficulty with it.

    Difficulty (1-5) is asked with the revote, when the person has been through the discussion.
    """
    case = _case_for(db, session, case_id)
    round_ = phases.voting_round(Status(session.status), Phase(case.phase))
    keys = tally.option_keys(len(case.options))
    if option not in keys:
        raise RuleError("option.unknown", expected=keys)
    duty = _check_duty(duty, known_duties)
    hard = _difficulty(difficulty) if round_ == 2 else None
    reason = _checked_reason(reason or "")
    # Checked above, staged below: a refused vote stages nothing (app.writer: checks_first).
    row = batch_reads.vote(db, case.id, person.id, round_)
    if row is None:
        row = new_row(
            Vote, session_case_id=_id(case), participant_id=_id(person), round=round_, option=option
        )
        batch_reads.added(db, row)
    row.option, row.duty, row.difficulty = option, duty, hard
    row.updated_at = utcnow()
    db.add(row)
    events = [event(session, "vote")]
    if reason:
        events += _save_post(db, session, person, case, reason)
    return events


def save_reason(
    db: Db, session: Session, person: Participant, case_id: object, text: str
) -> list[Event]:
    case = _case_for(db, session, case_id)
    phases.check_reason_open(Status(session.status), Phase(case.phase))
    return _save_post(db, session, person, case, _checked_reason(text))


def _checked_reason(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_REASON:
        raise RuleError("reason.too_long", most=MAX_REASON)
    return text


def _save_post(
    db: Db, session: Session, person: Participant, case: SessionCase, text: str
) -> list[Event]:
    """Stage a checked reason (_checked_reason)."""
    row = batch_reads.post(db, case.id, person.id)
    if row is None:
        row = new_row(Post, session_case_id=_id(case), participant_id=_id(person), text=text)
        batch_reads.added(db, row)
    row.text = text
    row.hidden = moderation.looks_abusive(text)  # pending the facilitator's look
    row.updated_at = utcnow()
    db.add(row)
    return [event(session, "post", group=person.group_id)]


def set_hidden(db: Db, session: Session, kind: str, row_id: int, hidden: bool) -> list[Event]:
    """The facilitator hides a text (or shows it again); it disappears from every other screen."""
    row: Post | GroupAnswer | None = None
    if kind == "post":
        row = db.get(Post, row_id)
    elif kind == "answer":
        row = db.get(GroupAnswer, row_id)
    case = db.get(SessionCase, row.session_case_id) if row else None
    if row is None or case is None or case.session_id != session.id:
        raise RuleError("text.unknown")
    row.hidden = hidden
    db.add(row)
    db.flush()
    if isinstance(row, Post):
        person = db.get(Participant, row.participant_id)
        changed = event(session, "post", group=person.group_id if person else None)
    else:
        changed = event(session, "answer", group=row.group_id)
    # Phones showing the current case's results hold every group's answer: they need it again.
    shown = case.position == session.position
    on_phones = shown and visibility.phone_shows_results(
        Phase(case.phase), session.results_on_phones
    )
    return [changed, event(session, "moderated", phones=on_phones)]


@dataclass
class AnswerConflict(Exception):
    """Someone in the group saved first; the caller keeps this person's draft to merge."""

    current: GroupAnswer


def answering_case(
    db: Db, session: Session, person: Participant, case_id: object
) -> tuple[SessionCase, int]:
    """The case whose group answer the person's group may write now, and that group: what a save
    checks first, and what a phone back mid-merge is checked against before it is shown the saved
    answer again (app.commands.messages: nothing is written)."""
    case = _case_for(db, session, case_id)
    phases.check_group_answer_open(Status(session.status), Phase(case.phase))
    if person.group_id is None:
        raise RuleError("answer.no_group")
    return case, person.group_id


def save_group_answer(
    db: Db,
    session: Session,
    person: Participant,
    case_id: object,
    option: str,
    text: str,
    base_version: int,
    duty: str = "",
    known_duties: Collection[str] = (),
) -> tuple[GroupAnswer, list[Event]]:
    """Last write wins, but only over the version the writer saw: a stale base is a conflict."""
    case, group = answering_case(db, session, person, case_id)
    keys = tally.option_keys(len(case.options))
    if option and option not in keys:
        raise RuleError("option.unknown", expected=keys)
    duty = _check_duty(duty, known_duties)
    text = text.strip()
    if len(text) > MAX_ANSWER:
        raise RuleError("answer.too_long", most=MAX_ANSWER)
    if not option and not text:
        advice = session.format == Format.KOLLEGASPARRING
        raise RuleError("answer.empty_advice" if advice else "answer.empty")
    row = batch_reads.group_answer(db, case.id, group)
    if row is None:
        row = new_row(GroupAnswer, session_case_id=_id(case), group_id=group)
    if base_version != row.version:
        if row.version and (row.option, row.duty, row.text) == (option, duty, text):
            # Already saved as sent: a double tap on "Gem" (the second press carries the version
            # the first replaced), or two members writing the same. Not another member's save.
            return row, []
        raise AnswerConflict(row)
    batch_reads.added(db, row)
    row.option, row.duty, row.text, row.version = option, duty, text, row.version + 1
    row.hidden = moderation.looks_abusive(text)
    size = batch_reads.group_size(db, group)
    # The smallest the group was at any save: a text begun by two stays theirs when a third joins.
    row.members = size if row.version == 1 else min(row.members, size)
    row.updated_at = utcnow()
    db.add(row)
    return row, [event(session, "answer", group=group)]
