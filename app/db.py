"""The engine, SQLite pragmas for durability, and the schema brought up to date by migrations."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Select,
    any_,
    bindparam,
    event,
    func,
    inspect,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType
from sqlmodel import Session as Db
from sqlmodel import create_engine

from app.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"  # the schema that create_all() made before migrations existed
MIGRATION_LOCK = 7_401_006  # PostgreSQL advisory lock: one process migrates, the others wait


def among(column: Any, name: str) -> ColumnElement[bool]:
    """`column` is one of a list given when the statement runs (params={name: [...]}), for
    statements built once at import.

    A statement built at every call with `col.in_(values)` leaves ~10 objects in reference cycles
    (SQLAlchemy's cloned bind parameters) that only the garbage collector frees: the writer's reads
    for every batch and the feed's for every push, ~40,000 objects per young collection in a
    crowd's burst, 25-35 ms each with every reply waiting. A statement built once leaves none.

    The list is one parameter, not one per value: PostgreSQL gets `= ANY(array)`, SQLite `IN` the
    values of a JSON array. An `IN (?, ?, ...)` of a crowd's batch was a new statement of hundreds
    of parameters every time, which SQLAlchemy expands and psycopg converts anew (its cache keeps
    statements under 4 KB and 50 parameters): ~14 % of a PostgreSQL writer's time in a crowd's
    group answer, with every other worker's writer waiting for the lock."""
    return _Among(column, name)


class _Among(ColumnElement[bool]):
    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012 (SQLAlchemy reads it)
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: SQLite's WHERE takes it as is, not `= 1`

    def __init__(self, column: Any, name: str) -> None:
        self.column: ColumnElement[Any] = coercions.expect(roles.ExpressionElementRole, column)
        self.name = name


@compiles(_Among)
def _among_json(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    values: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(element.name, type_=JSON()))
    )
    return compiler.process(element.column.in_(values.scalar_subquery()), **kw)


@compiles(_Among, "postgresql")
def _among_array(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    values = bindparam(element.name, type_=ARRAY(element.column.type))
    return compiler.process(element.column == any_(values), **kw)


def connect(settings: Settings) -> Engine:
    """An engine for the configured database, schema untouched.

    The pool never makes a caller wait (max_overflow=-1): worker threads read while the writer's
    thread holds its connection, and extra connections close as soon as they are returned.
    """
    url = settings.effective_database_url
    pool = {"pool_size": 10, "max_overflow": -1}
    if url.startswith("sqlite"):
        if settings.database_url == "":  # our own file in the data folder
            keep_private(settings.data_dir, settings.sqlite_path)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, **pool
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True, **pool)
    if settings.loop_guard:
        guard_loop(engine)
    return engine


class LoopUse(RuntimeError):
    """A database statement on the event loop's thread: every page of the room waits for it."""


SERVING: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
"""The event loops that serve requests (app.main adds its own at start-up)."""


def guard_loop(engine: Engine) -> None:
    """Refuse statements from a thread whose running event loop serves requests (reads and writes
    belong in a worker thread or the writer's thread: app.writer). Other loops, such as a test
    process's own browser driver, are not the server's."""

    def refuse(*_args: Any) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop in this thread: a worker, the writer, the command line
        if loop in SERVING:
            raise LoopUse("database used on the event loop")

    event.listen(engine, "before_cursor_execute", refuse)


def keep_private(folder: Path, database: Path) -> None:
    """The data folder and its files only for the server's user: they hold raw reasons, aliases
    and password hashes. SQLite gives its -wal and -shm files the database file's mode, so the
    file is made (or mended, in an older installation) 0600 before SQLite opens it."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    os.close(os.open(database, os.O_CREAT | os.O_RDWR, 0o600))
    for path in folder.iterdir():  # also the -wal, -shm, secret key and first login
        if path.is_file() and not path.is_symlink():
            path.chmod(0o600)


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


@contextmanager
def schema_change(engine: Engine) -> Iterator[Connection]:
    """One transaction for migrations; one process at a time on PostgreSQL.

    SQLite: alembic's batch mode rebuilds a table (copy, drop the old one, rename), and with rows
    pointing at it the drop fails while foreign keys are enforced: a migration that passed on an
    empty database would stop a server whose database holds sessions. So they are off while the
    schema changes (a pragma that only works outside a transaction) and checked as a whole
    before the commit.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _foreign_keys(connection, "OFF")
        try:
            with connection.begin():
                if not sqlite:
                    key = {"key": MIGRATION_LOCK}
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), key)
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"rows left pointing nowhere: {broken[:5]}")
        finally:
            if sqlite:
                _foreign_keys(connection, "ON")


def _foreign_keys(connection: Connection, state: str) -> None:
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={state}")  # type: ignore[union-attr]


def migrate(engine: Engine) -> None:
    """Upgrade to the newest schema, in one transaction; safe when several workers start together."""
    with schema_change(engine) as connection:
        config = alembic_config(connection)
        tables = inspect(connection).get_table_names()
        if "session" in tables and "alembic_version" not in tables:
            command.stamp(config, BASELINE)  # a database from before migrations: adopt it
        command.upgrade(config, "head")


CHECKPOINT_SECONDS = 0.5
BACKSTOP_PAGES = 20_000  # ~80 MB of WAL: a commit checkpoints only if checkpoint_loop fell behind


async def checkpoint_loop(engine: Engine) -> None:
    """SQLite: copy the WAL into the database file in the background, twice a second.

    Left to SQLite, the commit that takes the WAL past 1,000 pages does it (every half second in a
    vote burst): two more fsyncs while every phone in that batch waits for its ack. A passive
    checkpoint never blocks the writer, and durability does not depend on it (each commit's WAL
    is already synced).
    """
    if engine.dialect.name != "sqlite":
        return
    while True:
        await asyncio.sleep(CHECKPOINT_SECONDS)
        await asyncio.to_thread(_checkpoint, engine)


def _checkpoint(engine: Engine) -> None:
    connection = engine.raw_connection()  # the driver's own: no transaction around the pragma
    try:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        connection.close()


WRITE = "sparring_write"
WRITE_LOCK = 7_401_007  # PostgreSQL advisory lock held by every write transaction


def begin_write(db: Db) -> None:
    """Start db's transaction as a writer, before it reads anything.

    SQLite: BEGIN IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so the
    transaction never reads a snapshot that another writer makes stale, which a deferred BEGIN
    would only discover at its first write, as an error no timeout helps. PostgreSQL: an advisory
    lock gives the same one-writer-at-a-time order, so a phase change and a vote never interleave.
    Only the first transaction is a write; reads after its commit begin normally.
    """
    _lock(db.connection(execution_options={WRITE: True}))


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose transaction has begun as the writer (as begin_write); commit it."""
    with engine.connect().execution_options(**{WRITE: True}) as connection:
        connection.begin()
        _lock(connection)
        yield connection


def reading(connection: Connection) -> None:
    """A write_connection whose write is committed: what it reads next begins as a reader (on
    SQLite a plain BEGIN, not the write lock)."""
    connection.execution_options(**{WRITE: False})


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})


def _sqlite_begin(connection: Connection) -> None:
    # SQLAlchemy's recipe for pysqlite: the driver's own BEGIN is off (see _sqlite_pragmas).
    write = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver would BEGIN lazily before its first write; _sqlite_begin says when and how instead.
    dbapi_connection.isolation_level = None
    # WAL keeps readers off the writer's back; FULL makes an acknowledged write survive a crash.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # The WAL is moved into the database by checkpoint_loop; this is only the backstop.
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
