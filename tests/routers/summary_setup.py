"""Play a one-case session through the services (the same commands the websocket runs)."""

from __future__ import annotations

import random

from fastapi.testclient import TestClient
from sqlmodel import Session as Db

from app import services
from app.models import Participant


def play(
    http: TestClient,
    code: str,
    aliases: list[str],
    first: list[str],
    second: list[str],
    reason: str = "",
    answer: str = "Vi valgte A efter drøftelse.",
) -> list[Participant]:
    """Join, start, vote, one group answer per group, revote, close; then end over HTTP."""
    engine = http.app.state.engine  # type: ignore[attr-defined]
    with Db(engine) as db:
        session = services.session_by_code(db, code)
        people = [services.join(db, code, alias)[1] for alias in aliases]
        services.start_session(db, session, random.Random(4))
        case = services.current_case(db, session)
        services.change_phase(db, session, "next")
        for person, option in zip(people, first, strict=True):
            services.vote(db, session, person, case.id, option, reason or None)
        services.change_phase(db, session, "next")
        services.change_phase(db, session, "next")
        for group in {p.group_id for p in people}:
            writer = next(p for p in people if p.group_id == group)
            services.save_group_answer(db, session, writer, case.id, "A", answer, 0)
        services.change_phase(db, session, "next")
        services.change_phase(db, session, "next")
        for person, option in zip(people, second, strict=True):
            services.vote(db, session, person, case.id, option, None)
        services.change_phase(db, session, "next")
        db.commit()  # services never commit: the test is their writer here
        for person in people:
            db.refresh(person)
    r = http.post(f"/facilitator/sessions/{code}/end")
    assert r.status_code == 200 and "flash-error" not in r.text, r.text
    return people
