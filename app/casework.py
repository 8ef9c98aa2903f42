"""Kollegasparring with own cases: the commands around each group's case (the rules are in
app/domain/casework.py; this loads, asks them, commits and returns the events to publish).

A case is confidential to its group. Events name the groups whose phones need their case again.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import Session as Db
from sqlmodel import col, select

from app import batch_reads
from app.domain import RuleError
from app.domain import casework as rules
from app.domain.casework import CaseFacts, Origin
from app.domain.phases import Phase, Status
from app.hub import Event
from app.models import (
    Group,
    GroupCase,
    LibraryCase,
    Participant,
    Post,
    Session,
    Submission,
    User,
)
from app.services import create_session, current_case, event, place_cases


def facts(row: GroupCase) -> CaseFacts:
    assert row.id is not None
    return CaseFacts(
        id=row.id,
        group=row.group_id,
        giver=row.giver_id,
        origin=Origin(row.origin),
        done_phase=row.done_phase,
        closed=row.closed,
    )


def cases_of(db: Db, session: Session) -> list[GroupCase]:
    return list(
        db.exec(
            select(GroupCase).where(GroupCase.session_id == session.id).order_by(col(GroupCase.id))
        )
    )


def _changed(session: Session, *groups: int | None, everyone: bool = False) -> Event:
    """The group cases changed: these groups' phones (or everyone's) and the staff pages."""
    return event(session, "case", groups=None if everyone else [g for g in groups if g])


def _status(session: Session) -> Status:
    return Status(session.status)


def _phase(db: Db, session: Session) -> Phase | None:
    if _status(session) is not Status.RUNNING:
        return None
    return Phase(current_case(db, session).phase)


def _group_case(db: Db, session: Session, group_id: int | None) -> GroupCase | None:
    if group_id is None:
        return None
    return db.exec(
        select(GroupCase).where(
            GroupCase.session_id == session.id,
            GroupCase.group_id == group_id,
            GroupCase.origin != Origin.CARRIED,
        )
    ).first()


def _check_group_cases(session: Session) -> None:
    if not session.group_cases:
        raise RuleError("casework.not_group_cases")


# Phones --------------------------------------------------------------------------------------------


def write_case(
    db: Db,
    session: Session,
    person: Participant,
    title: str,
    text: str,
    device: str = "",
) -> list[Event]:
    """A person brings a case: typed on the phone before the meeting starts or while groups find
    their cases. A second write edits it. It lands in the person's group if that has none yet.
    The duties in play are the group's to find in the reflection, so the case comes without."""
    _check_group_cases(session)
    rules.check_write(_status(session), _phase(db, session))
    title, text = rules.check_case_text(title, text)
    row = db.exec(
        select(GroupCase).where(
            GroupCase.session_id == session.id,
            GroupCase.giver_id == person.id,
            GroupCase.origin == Origin.OWN,
        )
    ).first()
    if row is None:
        row = GroupCase(
            session_id=session.id or 0,
            giver_id=person.id,
            origin=Origin.OWN,
            title=title,
            text=text,
        )
    row.title, row.text = title, text
    row.device_hash = device or row.device_hash
    db.add(row)
    db.flush()
    place_cases(db, session)
    db.flush()
    return [_changed(session, person.group_id)]


def take_case(db: Db, session: Session, person: Participant, device: str = "") -> list[Event]:
    """A member becomes case-giver of the case the facilitator gave their group."""
    _check_group_cases(session)
    row = _group_case(db, session, person.group_id)
    rules.check_take(person.group_id, facts(row) if row else None)
    assert row is not None
    row.giver_id, row.device_hash = person.id, device
    db.add(row)
    db.flush()
    return [_changed(session, person.group_id)]


def mark_duty(
    db: Db, session: Session, person: Participant, duty: str, on: bool, known: Collection[str]
) -> list[Event]:
    """A duty in play in the group's case, marked or unmarked (the group's shared list)."""
    _check_group_cases(session)
    row = _group_case(db, session, person.group_id)
    if row is None:
        raise RuleError("casework.no_case")
    rules.check_mark_duty(_status(session), _phase(db, session), rules.role(person.id, facts(row)))
    if duty not in known:
        raise RuleError("duty.unknown")
    marked = [d for d in row.duties if d != duty] + ([duty] if on else [])
    row.duties = sorted(marked, key=list(known).index)
    db.add(row)
    db.flush()
    return [_changed(session, person.group_id)]


def mark_done(db: Db, session: Session, person: Participant) -> list[Event]:
    """The group is ready with this step (shown on the projector's and control page's progress)."""
    _check_group_cases(session)
    row = _group_case(db, session, person.group_id)
    phase = rules.check_done(_status(session), _phase(db, session), facts(row) if row else None)
    if row is None:  # a follow-up step in a group without a case of its own this time
        carried = _carried_in(db, session, person.group_id)
        if not carried:
            raise RuleError("casework.no_case")
        rows = carried
    else:
        rows = [row]
    for r in rows:
        r.done_phase = phase
        db.add(r)
    db.flush()
    return [_changed(session, person.group_id)]


def _carried_in(db: Db, session: Session, group_id: int | None) -> list[GroupCase]:
    return list(
        db.exec(
            select(GroupCase).where(
                GroupCase.session_id == session.id,
                GroupCase.origin == Origin.CARRIED,
                GroupCase.group_id == group_id,
            )
        )
    )


def close_case(
    db: Db,
    session: Session,
    person: Participant,
    takeaway: str,
    share: str,
    brief: str,
    keep_open: bool,
) -> list[Event]:
    """The case-giver closes: what they take with them, what may leave the group, and whether the
    case stays open for the next meeting of the series."""
    _check_group_cases(session)
    row = _group_case(db, session, person.group_id)
    if row is None:
        raise RuleError("casework.no_case")
    chosen = rules.check_close(
        _status(session), _phase(db, session), rules.role(person.id, facts(row)), share, brief
    )
    row.takeaway, row.share = rules.check_note(takeaway), chosen
    row.brief = brief.strip() if chosen is rules.Share.CASE else ""
    row.keep_open, row.closed = keep_open, True
    db.add(row)
    db.flush()
    return [_changed(session, person.group_id)]


def note_follow_up(
    db: Db, session: Session, person: Participant, case_id: object, text: str
) -> list[Event]:
    """What happened since, written by the case-giver of a case carried from the last meeting."""
    _check_group_cases(session)
    row = _row(db, session, case_id)
    rules.check_follow_up(_status(session), _phase(db, session), person.id, facts(row))
    row.follow_up = rules.check_note(text)
    db.add(row)
    db.flush()
    return [_changed(session, person.group_id)]


def save_questions(
    db: Db, session: Session, person: Participant, case_id: object, text: str
) -> list[Event]:
    """A member's own clarifying questions, jotted during the step: for them alone."""
    _check_group_cases(session)
    case = current_case(db, session)
    if str(case_id) != str(case.id) or _phase(db, session) is not Phase.CLARIFY:
        raise RuleError("casework.questions_closed", found=_phase(db, session))
    text = rules.check_note(text)
    row = batch_reads.post(db, case.id, person.id)
    if row is None:
        row = Post(session_case_id=case.id or 0, participant_id=person.id or 0, text="")
        batch_reads.added(db, row)
    row.questions = text
    db.add(row)
    db.flush()
    return []


def claim_carried(db: Db, session: Session, person: Participant, device: str) -> list[Event]:
    """A phone joining the series' next meeting from the browser that closed an open case: it is
    that case's giver again (found by the browser's key, never by name)."""
    if not device or not session.group_cases:
        return []
    rows = db.exec(
        select(GroupCase).where(
            GroupCase.session_id == session.id,
            GroupCase.origin == Origin.CARRIED,
            GroupCase.device_hash == device,
            col(GroupCase.giver_id).is_(None),
        )
    ).all()
    for row in rows:
        row.giver_id = person.id
        db.add(row)
    if not rows:
        return []
    db.flush()
    place_cases(db, session)
    return [_changed(session, everyone=True)]


def claim_follow_up(
    db: Db, session: Session, person: Participant, case_id: object, device: str = ""
) -> list[Event]:
    """ "Det er min sag": the case-giver of an open case, on a new phone, takes it back."""
    _check_group_cases(session)
    row = _row(db, session, case_id)
    rules.check_claim(person.group_id, facts(row))
    row.giver_id, row.device_hash = person.id, device or row.device_hash
    db.add(row)
    db.flush()
    return [_changed(session, person.group_id)]


def _row(db: Db, session: Session, case_id: object) -> GroupCase:
    digits = str(case_id)
    row = db.get(GroupCase, int(digits)) if digits.isdecimal() and len(digits) < 10 else None
    if row is None or row.session_id != session.id:
        raise RuleError("casework.no_case")
    return row


# The facilitator ----------------------------------------------------------------------------------


def _active_group(db: Db, session: Session, number: int) -> Group:
    group = db.exec(
        select(Group).where(
            Group.session_id == session.id, col(Group.active), Group.number == number
        )
    ).first()
    if group is None:
        raise RuleError("groups.unknown_member")
    return group


def assign(
    db: Db, session: Session, group_number: int, submission_id: int = 0, slug: str = ""
) -> list[Event]:
    """Give a group without a case a submitted dilemma or a library case; a member takes it on."""
    _check_group_cases(session)
    if _status(session) is not Status.RUNNING:
        raise RuleError("groups.not_running", expected=Status.RUNNING, found=_status(session))
    group = _active_group(db, session, group_number)
    existing = _group_case(db, session, group.id)
    rules.check_assign(facts(existing) if existing else None)
    if not submission_id and not slug:
        raise RuleError("casework.choose_offer")
    if submission_id:
        sub = db.get(Submission, submission_id)
        if sub is None or sub.session_id != session.id or sub.status != "new":
            raise RuleError("dilemma.unknown")
        sub.status = "promoted"
        db.add(sub)
        # The facilitator's title if it gave one on the review page, else the text's first words.
        title = (sub.title or " ".join(sub.text.split()[:8]))[: rules.MAX_TITLE]
        row = GroupCase(
            session_id=session.id or 0,
            group_id=group.id,
            origin=Origin.SUBMISSION,
            title=title,
            text=sub.text,
        )
    else:
        library = db.exec(select(LibraryCase).where(LibraryCase.slug == slug)).first()
        if library is None or library.archived:
            raise RuleError("session.unknown_cases", found=[slug[:60]])
        row = GroupCase(
            session_id=session.id or 0,
            group_id=group.id,
            origin=Origin.LIBRARY,
            title=library.title,
            text=library.text,
        )
    db.add(row)
    db.flush()
    return [_changed(session, group.id)]


def give_follow_up(db: Db, session: Session, case_id: int, group_number: int) -> list[Event]:
    """An open case whose case-giver came on a new phone: the facilitator gives it to the group
    the case-giver says they are in, where they claim it."""
    _check_group_cases(session)
    row = _row(db, session, case_id)
    if row.origin != Origin.CARRIED or row.giver_id is not None:
        raise RuleError("casework.has_giver")
    group = _active_group(db, session, group_number)
    before, row.group_id = row.group_id, group.id
    db.add(row)
    db.flush()
    return [_changed(session, before, group.id)]


def merge(db: Db, session: Session, source_number: int, target_number: int) -> list[Event]:
    """Two groups become one: the first's members join the second, with its case if it had one."""
    _check_group_cases(session)
    if _status(session) is not Status.RUNNING:
        raise RuleError("groups.not_running", expected=Status.RUNNING, found=_status(session))
    source = _active_group(db, session, source_number)
    target = _active_group(db, session, target_number)
    source_case, target_case = (
        _group_case(db, session, source.id),
        _group_case(db, session, target.id),
    )
    rules.check_merge(
        source_number, target_number, source_case is not None, target_case is not None
    )
    for person in db.exec(select(Participant).where(Participant.group_id == source.id)):
        person.group_id = target.id
        db.add(person)
    if source_case is not None:
        source_case.group_id = target.id
        db.add(source_case)
    source.active = False
    db.add(source)
    db.flush()
    place_cases(db, session)
    db.flush()
    return [event(session, "groups"), _changed(session, everyone=True)]


# A series ------------------------------------------------------------------------------------------


def next_meeting(db: Db, user: User, previous: Session) -> Session:
    """The series' next meeting: the same plan, and the cases its case-givers kept open, each to
    be followed up by its case-giver ("Hvad skete der?")."""
    _check_group_cases(previous)
    if Status(previous.status) is not Status.ENDED:
        raise RuleError("casework.series_after_end")
    session = create_session(
        db,
        user,
        previous.title,
        [],
        previous.group_size,
        previous.format,
        dict(previous.timers or {}),
        areas=list(previous.areas or []),
        group_cases=True,
        follows=previous,
    )
    for old in cases_of(db, previous):
        if old.keep_open and old.closed:
            db.add(
                GroupCase(
                    session_id=session.id or 0,
                    origin=Origin.CARRIED,
                    title=old.title,
                    text=old.text,
                    duties=list(old.duties),
                    takeaway=old.takeaway,
                    share=old.share,
                    brief=old.brief,
                    carried_from_id=old.id,
                    device_hash=old.device_hash,
                )
            )
    db.flush()
    return session


def _kept(session_id: int) -> Select[Any]:
    """A case its case-giver kept open whose next meeting has not been created yet."""
    carried = select(GroupCase.carried_from_id).where(col(GroupCase.carried_from_id).is_not(None))
    return select(GroupCase.id).where(
        GroupCase.session_id == session_id,
        col(GroupCase.keep_open),
        col(GroupCase.closed),
        col(GroupCase.id).not_in(carried),
    )


def purgeable(session_id: int) -> Select[Any]:
    """The session's cases a purge deletes (app.retention): all but those kept open for the
    series' next meeting and not carried there yet, which wait without group or case-giver."""
    return select(GroupCase.id).where(
        GroupCase.session_id == session_id, col(GroupCase.id).not_in(_kept(session_id))
    )


def unlink_before_purge(db: Db, session_id: int) -> None:
    """Cut what would hold the purge back: a kept case's group and case-giver, and the link of
    a later meeting's follow-up to a case that goes."""
    for row in db.exec(select(GroupCase).where(col(GroupCase.id).in_(_kept(session_id)))):
        row.group_id, row.giver_id = None, None
        db.add(row)
    going = purgeable(session_id)
    for later in db.exec(select(GroupCase).where(col(GroupCase.carried_from_id).in_(going))):
        later.carried_from_id = None
        db.add(later)
    db.flush()
