"""The engine, SQLite pragmas for durability, and the schema brought up to date by migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import create_engine

from app.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"  # the schema that create_all() made before migrations existed
MIGRATION_LOCK = 7_401_006  # PostgreSQL advisory lock: one process migrates, the others wait


def connect(settings: Settings) -> Engine:
    """An engine for the configured database, schema untouched."""
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def make_engine(settings: Settings) -> Engine:
    """An engine whose database has the newest schema (migrated on the way)."""
    engine = connect(settings)
    migrate(engine)
    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Upgrade to the newest schema, in one transaction; safe when several workers start together."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config = alembic_config(connection)
        tables = inspect(connection).get_table_names()
        if "session" in tables and "alembic_version" not in tables:
            command.stamp(config, BASELINE)  # a database from before migrations: adopt it
        command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL keeps readers off the writer's back; FULL makes an acknowledged write survive a crash.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
