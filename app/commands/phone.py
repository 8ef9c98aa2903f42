"""What a phone changes over HTTP: joining (or coming back), leaving, an anonymous dilemma.
Its websocket messages are the writer's batched job app.commands.messages.PhoneMessage."""

from __future__ import annotations

from sqlmodel import Session as Db

from app import casework, services, submissions
from app.models import Participant, Session
from app.writer import Outcome


def join(db: Db, code: str, alias: str, device: str, token: str | None) -> Outcome[str]:
    """The participant token for the phone's cookie; a browser already in the session comes back
    to its own place (and maybe a group again), a new one joins."""
    session, person, token, back = services.join(db, code, alias, token or "")
    if back:
        return Outcome(token, [services.event(session, "groups", group=person.group_id)])
    events = [services.event(session, "join", group=person.group_id)]
    # The series' next meeting: this browser closed a case kept open, it gives it again.
    events += casework.claim_carried(db, session, person, device)
    return Outcome(token, events)


def _own(db: Db, participant_id: int) -> tuple[Session, Participant]:
    person = db.get(Participant, participant_id)
    assert person is not None  # found by its cookie a moment ago; participants are never deleted
    session = db.get(Session, person.session_id)
    assert session is not None
    return session, person


def leave(db: Db, participant_id: int) -> Outcome[str]:
    """Leave on purpose: out of the counts and the group; the session's code (to come back)."""
    session, person = _own(db, participant_id)
    return Outcome(session.code, services.leave(db, session, person))


def submit_dilemma(
    db: Db, participant_id: int, text: str, duties: list[str], known: set[str]
) -> Outcome[None]:
    """Kollegasparring: an own dilemma, stored without anything that points back to the phone."""
    session, _ = _own(db, participant_id)
    return Outcome(None, submissions.submit(db, session, text, duties, known))
