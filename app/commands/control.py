"""The control page's buttons: a facilitator drives a live session (owner or co-facilitator)."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session as Db

from app import access, audit, casework, services, submissions, summaries
from app.config import Settings
from app.domain import RuleError
from app.domain.phases import Status
from app.models import Session, User
from app.writer import Outcome

Done = Outcome[None]


def account(db: Db, user_id: int | None) -> User:
    """The logged-in account (found by the request a moment ago), as this transaction sees it."""
    user = db.get(User, user_id) if user_id is not None else None
    if user is None or user.disabled:
        raise RuleError("access.account_gone")
    return user


def staff(db: Db, code: str, who: User, *, owner: bool = False) -> tuple[Session, User]:
    """The session and the facilitator driving it, if they may (app.access), else a refusal."""
    user = account(db, who.id)
    return access.session_for(db, code, user, owner=owner), user


def start(db: Db, code: str, who: User, seen: str = "") -> Done:
    session, user = staff(db, code, who)
    events = services.start_session(db, session, seen=seen)
    if events:  # a late second press started nothing
        audit.add(db, user, "session.started", session.code)
    return Outcome(None, events)


def change_phase(db: Db, code: str, who: User, action: str, force: bool, seen: str = "") -> Done:
    session, _ = staff(db, code, who)
    return Outcome(None, services.change_phase(db, session, action, force=force, seen=seen))


def show_step(db: Db, code: str, who: User, step: int) -> Done:
    """Another part of the result on the projector."""
    session, _ = staff(db, code, who)
    return Outcome(None, services.set_reveal_step(db, session, step))


def next_case(db: Db, code: str, who: User, mode: str, seen: int | None = None) -> Done:
    session, _ = staff(db, code, who)
    return Outcome(None, services.next_case(db, session, services.parse_mode(mode), seen=seen))


def set_timer(db: Db, code: str, who: User, seconds: str, extend: bool) -> Done:
    """`seconds` as typed: empty stops the timer."""
    session, _ = staff(db, code, who)
    try:
        value = int(seconds) if seconds.strip() else None
    except ValueError as exc:
        raise RuleError("timer.whole_seconds") from exc
    return Outcome(None, services.set_timer(db, session, value, extend))


def end(db: Db, code: str, who: User) -> Done:
    """The room is told at once; the summary is frozen by the next command (freeze_summary)."""
    session, user = staff(db, code, who)
    events = services.end_session(db, session)
    audit.add(db, user, "session.ended", session.code)
    return Outcome(None, events)


def freeze_summary(db: Db, code: str, who: User, settings: Settings) -> Done:
    """The ended session's summary, kept with it (once). A command of its own after the end: it
    scrubs every text (half a second at a thousand phones, more on the process's first) and the
    phones' goodbye waited for it. Should the process stop in between, the summary is built when
    asked for (summaries.summary_of) and frozen before notes, publishing or a purge (kept)."""
    session, _ = staff(db, code, who)
    if session.summary_json is None and Status(session.status) is Status.ENDED:
        summaries.freeze(db, session, settings)
    return Outcome(None)


def regroup(db: Db, code: str, who: User, mode: str, seen: Collection[int] = ()) -> Done:
    session, _ = staff(db, code, who)
    return Outcome(None, services.regroup(db, session, services.parse_mode(mode), seen=seen))


def move(db: Db, code: str, who: User, participant: int, group: int) -> Done:
    session, _ = staff(db, code, who)
    return Outcome(None, services.move_participant(db, session, participant, group))


def remove(db: Db, code: str, who: User, participant: int) -> Done:
    """Take a participant who has gone out of the counts and their group (their rows stay)."""
    session, _ = staff(db, code, who)
    return Outcome(None, services.remove_participant(db, session, participant))


def hide(db: Db, code: str, who: User, kind: str, row_id: int, hidden: bool) -> Done:
    session, _ = staff(db, code, who)
    return Outcome(None, services.set_hidden(db, session, kind, row_id, hidden))


# Kollegasparring with own cases.


def assign_case(db: Db, code: str, who: User, group: int, submission: int, slug: str) -> Done:
    """A group without a case gets a submitted dilemma or a library case."""
    session, _ = staff(db, code, who)
    return Outcome(None, casework.assign(db, session, group, submission, slug))


def give_follow_up(db: Db, code: str, who: User, case: int, group: int) -> Done:
    """An open case whose case-giver came on a new phone goes to their group, to be claimed."""
    session, _ = staff(db, code, who)
    return Outcome(None, casework.give_follow_up(db, session, case, group))


def merge_groups(db: Db, code: str, who: User, source: int, target: int) -> Done:
    session, _ = staff(db, code, who)
    return Outcome(None, casework.merge(db, session, source, target))


def next_meeting(db: Db, code: str, who: User) -> Outcome[str]:
    """The series' next meeting, with the cases its case-givers kept open: its code."""
    session, user = staff(db, code, who)
    return Outcome(casework.next_meeting(db, user, session).code)


def share(db: Db, code: str, who: User, username: str, remove: int | None) -> Done:
    """The owner adds a co-facilitator by name, or removes one (whose open pages then close)."""
    session, user = staff(db, code, who, owner=True)
    if remove is None:
        added = access.add_co_facilitator(db, session, username)
        audit.add(db, user, "session.shared", session.code, added.username)
        return Outcome(None)
    gone = db.get(User, remove)
    events = access.remove_co_facilitator(db, session, remove)
    audit.add(db, user, "session.unshared", session.code, gone.username if gone else "")
    return Outcome(None, events)


def moderate_dilemma(
    db: Db,
    code: str,
    who: User,
    submission_id: int,
    action: str,
    text: str,
    title: str,
    duty: str,
    known: set[str],
) -> Done:
    """A participant's own dilemma: saved as edited, dismissed, restored or played as a case."""
    session, _ = staff(db, code, who)
    events = submissions.moderate(db, session, submission_id, action, text, title, duty, known)
    return Outcome(None, events)
