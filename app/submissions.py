"""Participants' own dilemmas (kollegasparring): anonymous submission, moderation, promotion.

A submission stores no participant, token or time: nobody, not even the database, can tell who
wrote it or when. A promoted submission becomes a case at the end of this session.
"""

from __future__ import annotations

from sqlmodel import Session as Db
from sqlmodel import col, func, select

from app.domain import RuleError
from app.domain.phases import Status
from app.hub import Event
from app.models import Session, SessionCase, Submission
from app.services import event

MIN_TEXT, MAX_TEXT = 20, 2000
MAX_TITLE = 200
MAX_PER_SESSION = 200
DEFAULT_QUESTION = "Hvad vil I råde kollegaen til?"
DEFAULT_PROMPTS = [
    "Hvilke pligter trækker i hver sin retning i kollegaens situation?",
    "Hvad ville I selv gøre – og hvad ville I have brug for fra jeres leder?",
]


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if len(text) < MIN_TEXT:
        raise RuleError("dilemma.too_short", least=MIN_TEXT)
    if len(text) > MAX_TEXT:
        raise RuleError("dilemma.too_long", most=MAX_TEXT)
    return text


def _clean_duties(duties: list[str], known: set[str]) -> list[str]:
    unknown = [d for d in duties if d not in known]
    if unknown:
        raise RuleError("dilemma.unknown_duty")
    return sorted(set(duties), key=duties.index)


def submit(db: Db, session: Session, text: str, duties: list[str], known: set[str]) -> list[Event]:
    if Status(session.status) is Status.ENDED:
        raise RuleError("dilemma.session_ended")
    count = db.exec(
        select(func.count()).select_from(Submission).where(Submission.session_id == session.id)
    ).one()
    if count >= MAX_PER_SESSION:
        raise RuleError("dilemma.too_many")
    assert session.id is not None
    db.add(
        Submission(
            session_id=session.id,
            text=_clean_text(text),
            duties=_clean_duties(duties, known),
        )
    )
    db.flush()
    return [event(session, "submission")]


def _get(db: Db, session: Session, submission_id: int, status: str = "new") -> Submission:
    row = db.get(Submission, submission_id)
    if row is None or row.session_id != session.id:
        raise RuleError("dilemma.unknown")
    if row.status != status:
        raise RuleError("dilemma.handled" if status == "new" else "dilemma.not_dismissed")
    return row


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if len(title) > MAX_TITLE:
        raise RuleError("dilemma.title", most=MAX_TITLE)
    return title


def moderate(
    db: Db,
    session: Session,
    submission_id: int,
    action: str,
    text: str,
    title: str,
    duty: str,
    known: set[str],
) -> list[Event]:
    """save (the text, title and duty as typed), dismiss, restore (undo a dismissal), or
    promote: a new case at the end of this session."""
    if action == "restore":
        row = _get(db, session, submission_id, "dismissed")
        row.status = "new"
        db.add(row)
        db.flush()
        return [event(session, "submission")]
    row = _get(db, session, submission_id)
    if action == "dismiss":
        row.status = "dismissed"
    elif action == "save":
        row.text = _clean_text(text)
        row.title = _clean_title(title)
        if duty and duty not in known:
            raise RuleError("dilemma.unknown_duty")
        row.duty = duty
    elif action == "promote":
        if Status(session.status) is Status.ENDED:
            raise RuleError("session.ended")
        row.text = _clean_text(text)
        title = _clean_title(title)
        if not title:
            raise RuleError("dilemma.title", most=MAX_TITLE)
        duty = duty or row.duty or (row.duties[0] if row.duties else "")
        if duty not in known:
            raise RuleError("dilemma.no_duty")
        assert session.id is not None
        position = db.exec(
            select(func.count())
            .select_from(SessionCase)
            .where(SessionCase.session_id == session.id)
        ).one()
        case = SessionCase(
            session_id=session.id,
            position=position,
            slug=f"dilemma-{row.id}",
            title=title,
            duty=duty,
            secondary_duties=[d for d in row.duties if d != duty],
            text=row.text,
            question=DEFAULT_QUESTION,
            options=[],
            prompts=list(DEFAULT_PROMPTS),
        )
        db.add(case)
        db.flush()
        row.status, row.session_case_id = "promoted", case.id
        row.title, row.duty = title, duty
    else:
        raise RuleError("action.unknown", found=action[:20])
    db.add(row)
    db.flush()
    # Phones learn of a promoted case at the next phase change (no re-render under a draft).
    return [event(session, "submission")]


def listed(db: Db, session: Session, status: str = "new") -> list[Submission]:
    """The session's dilemmas in one state (new: waiting; dismissed: may be restored)."""
    return list(
        db.exec(
            select(Submission)
            .where(Submission.session_id == session.id, Submission.status == status)
            .order_by(col(Submission.id))
        )
    )
