"""A crowd's batches leave nothing for the garbage collector: the writer's reads for each batch
(the phones, their rows, the room its replies are drawn from) are statements built once, not per
call. Statements built with `col.in_(values)` at every call left ~10 objects in reference cycles
each, ~40,000 per young collection in a burst, 25-35 ms of every reply's wait (app.db.among)."""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session as Db

from app.commands import control
from app.commands.messages import Page, PhoneMessage
from app.config import Settings
from app.db import make_engine
from app.writer import run_alone, write
from tests.utils.rooms import started_room


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = make_engine(Settings(data_dir=tmp_path))
    yield made
    made.dispose()


def room(engine: Engine, phones: int) -> tuple[str, object, int, list[Page]]:
    code, who = started_room(engine, phones)
    with Db(engine) as db:
        sid = db.exec(text("SELECT id FROM session WHERE code = :c"), params={"c": code}).one()[0]
        people = db.exec(
            text("SELECT id FROM participant WHERE session_id = :s"), params={"s": sid}
        )
        case = db.exec(text("SELECT id FROM sessioncase WHERE session_id = :s"), params={"s": sid})
        return code, who, case.one()[0], [Page(sid, row[0]) for row in people]


def message(page: Page, case: int, **content: object) -> PhoneMessage:
    return PhoneMessage(page, {"id": uuid.uuid4().hex, "case": case, **content})


def cyclic_garbage(engine: Engine, batches: list[list[PhoneMessage]]) -> list[str]:
    """What the batches left for the collector (each written as the writer writes a batch)."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for batch in batches:
            answers = write(engine, list(batch))
            assert all(ok for ok, _ in answers), answers
        gc.collect()
        return sorted({type(thing).__name__ for thing in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_a_crowds_votes_and_group_answers_leave_no_cycles(engine: Engine) -> None:
    code, who, case, pages = room(engine, 12)
    run_alone(engine, control.change_phase, code, who, "vote", True)
    reason = "Lovligheden først, fordi borgerens retssikkerhed går forud."
    votes = [
        message(p, case, action="vote", option="AB"[n % 2], reason=reason)
        for n, p in enumerate(pages)
    ]
    # A trickle (batches of three) and then a crowd: every batch reads, writes and replies. The
    # first batch of a kind compiles its statements, once in a server's life: not measured.
    write(engine, votes[:3])
    assert cyclic_garbage(engine, [votes[3:6], votes[6:9], votes[9:]]) == []

    run_alone(engine, control.change_phase, code, who, "group_answer", True)
    answers = [  # each in their own words: one per group is saved, the others refused as stale
        message(p, case, action="answer", option="B", text=f"{reason} ({n})", base_version="0")
        for n, p in enumerate(pages)
    ]
    write(engine, answers[:1])
    assert cyclic_garbage(engine, [answers[1:5], answers[5:]]) == []
