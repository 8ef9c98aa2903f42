"""A row made without SQLModel's constructor (app.models.new_row, the writer's hot rows) is stored
as the constructor's would be, on SQLite and PostgreSQL: the given values, every other field at
its default, and a field the table does not have refused."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session as Db
from sqlmodel import select

from app.commands import phone, sessions
from app.models import GroupAnswer, Participant, ProcessedMessage, Session, User, new_row
from app.writer import run_alone


def test_a_new_row_is_stored_with_its_values_and_the_tables_defaults(engine: Engine) -> None:
    with Db(engine) as db:
        owner = User(username="ejer", password_hash="")
        db.add(owner)
        db.commit()
        db.refresh(owner)
    plan = sessions.Plan(title="Rækker", slugs=[], group_size=4, format="kollegasparring")
    code = run_alone(engine, sessions.create, owner, plan)
    with Db(engine) as db:
        session = db.exec(select(Session).where(Session.code == code)).one()
    run_alone(engine, phone.join, code, "En", "", None)
    with Db(engine) as db:
        person = db.exec(select(Participant).where(Participant.session_id == session.id)).one()
        made = new_row(
            ProcessedMessage, participant_id=person.id, message_id="a1b2c3d4", digest="d"
        )
        db.add(made)
        db.commit()
        row_id, person_id = made.id, person.id
    assert row_id is not None
    with Db(engine) as db:
        stored = db.get(ProcessedMessage, row_id)
        assert stored is not None
        assert (stored.participant_id, stored.message_id, stored.digest) == (
            person_id,
            "a1b2c3d4",
            "d",
        )
        assert isinstance(stored.created_at, datetime)  # the default factory's value


def test_a_new_row_has_the_constructors_defaults_and_refuses_unknown_fields() -> None:
    made = new_row(GroupAnswer, session_case_id=1, group_id=2)
    built = GroupAnswer(session_case_id=1, group_id=2)
    assert made.model_dump(exclude={"updated_at"}) == built.model_dump(exclude={"updated_at"})
    assert isinstance(made.updated_at, datetime) and made.updated_at.tzinfo is not None
    with pytest.raises(TypeError, match="no_such_field"):
        new_row(GroupAnswer, session_case_id=1, group_id=1, no_such_field=1)
