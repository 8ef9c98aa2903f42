"""JSON for scripts and bots: health, and a phone's own state (what `sparring simulate` reads)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app import i18n, services
from app.deps import PARTICIPANT_COOKIE, DbDep
from app.models import Session
from app.room import load_room

router = APIRouter(prefix="/api", tags=["api"])


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/me", response_model=None)
def me(request: Request, db: DbDep) -> dict[str, Any] | JSONResponse:
    """The calling phone's view as data: the same rules as its page, nothing it may not see."""
    person = services.participant_by_token(db, request.cookies.get(PARTICIPANT_COOKIE))
    if person is None:
        return JSONResponse(
            {"detail": i18n.gettext("Ukendt deltager: deltag igen med koden")}, status_code=401
        )
    session = db.get(Session, person.session_id)
    assert session is not None
    room = load_room(db, session, [person])  # its own rows only: the same cost in any room
    case = room.current
    answer = room.answers.get(person.group_id) if person.group_id else None
    return {
        "status": room.status.value,
        "phase": room.phase.value if room.phase else None,
        "case": case.id if case and room.phase else None,
        "options": room.option_keys if room.phase else [],
        "participant": person.number,
        "group": room.group_number(person.group_id),
        "vote_round": room.vote_round,
        "my_vote": room.votes.get(room.vote_round, {}).get(person.id or 0)
        if room.vote_round
        else None,
        "answer_version": answer.version if answer else 0,
    }
