"""A started session built in-process through the writer's commands (no server): for tests of the
write side and the feeds that need a room of phones but no sockets."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session as Db

from app import library
from app.cli import add_user
from app.commands import control, phone, sessions
from app.models import User
from app.writer import run_alone

SEED = Path(__file__).resolve().parents[2] / "seed"


def started_room(engine: Engine, phones: int, title: str = "Affald") -> tuple[str, User]:
    """A dilemma session on a seeded case with four or more options, `phones` joined phones in
    groups of four, started; its code and its facilitator."""
    with Db(engine) as db:
        lib, _ = library.seed_library(db, SEED)
        slug = next(c.slug for c in lib.cases if len(c.options) >= 4)
        who = add_user(db, f"facilitator-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex, "facilitator")
        db.commit()
        db.refresh(who)
    plan = sessions.Plan(title=title, slugs=[slug], group_size=4, format="dilemma")
    code = run_alone(engine, sessions.create, who, plan)
    for n in range(phones):
        run_alone(engine, phone.join, code, f"Telefon {n}", "", None)
    run_alone(engine, control.start, code, who)
    return code, who
