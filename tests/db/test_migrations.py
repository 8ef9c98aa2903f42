"""The migrations build exactly the models' schema, on SQLite and PostgreSQL.

A model change without a migration fails here, with the difference spelled out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session as Db
from sqlmodel import SQLModel, select

from app.config import Settings
from app.db import BASELINE, alembic_config, connect, make_engine, migrate
from app.models import User
from tests.utils.postgres import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "sqlite":
        yield Settings(data_dir=tmp_path)
        return
    with fresh_database() as url:
        yield Settings(data_dir=tmp_path, database_url=url)


def schema_drift(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def head() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: re-parent yours onto the other"
    return heads[0]


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_migrations_build_the_models_schema(settings: Settings) -> None:
    engine = make_engine(settings)
    try:
        assert current(engine) == head()
        drift = schema_drift(engine)
        assert drift == [], f"models and migrations differ; add a migration (README): {drift}"
    finally:
        engine.dispose()


def test_every_migration_goes_down_and_up_again(settings: Settings) -> None:
    engine = make_engine(settings)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        assert current(engine) == head() and schema_drift(engine) == []
    finally:
        engine.dispose()


def test_a_database_from_before_migrations_is_adopted_with_its_data(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    old = connect(settings)
    with old.begin() as conn:  # the tables the first version made with create_all, unversioned
        command.upgrade(alembic_config(conn), BASELINE)
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(
            text(
                "INSERT INTO \"user\" (username, password_hash, role, created_at) VALUES ('fac', 'x', 'facilitator', '2026-01-01')"
            )
        )
    old.dispose()

    engine = make_engine(settings)
    try:
        assert current(engine) == head()
        with Db(engine) as db:
            assert [u.username for u in db.exec(select(User)).all()] == ["fac"]
    finally:
        engine.dispose()


def test_migrating_twice_changes_nothing(settings: Settings) -> None:
    make_engine(settings).dispose()
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert [v[0] for v in versions] == [head()]
    finally:
        engine.dispose()
