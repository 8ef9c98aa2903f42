"""One write path: no handler on the event loop touches the database, and the guard that the whole
suite runs with (SPARRING_LOOP_GUARD, tests/conftest.py) really refuses a statement there."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from sqlalchemy import text
from sqlmodel import Session as Db

from app.config import Settings
from app.db import SERVING, LoopUse, connect
from app.main import create_app


def test_a_statement_on_the_serving_loop_is_refused_and_one_in_a_thread_is_not(
    tmp_path: Path,
) -> None:
    engine = connect(Settings(data_dir=tmp_path, loop_guard=True))

    def select_one() -> int:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT 1")).scalar_one())

    async def on_the_loop() -> int:
        SERVING.add(asyncio.get_running_loop())  # as app.main does when it starts serving
        return select_one()

    async def on_another_loop() -> int:  # not a server's: a test's browser driver, say
        return select_one()

    async def in_a_thread() -> int:
        return await asyncio.to_thread(select_one)

    with pytest.raises(LoopUse):
        asyncio.run(on_the_loop())
    assert asyncio.run(in_a_thread()) == 1
    assert asyncio.run(on_another_loop()) == 1
    assert select_one() == 1  # no loop at all: the command line, start-up
    engine.dispose()


def _db_params(call: object) -> list[str]:
    return [
        name
        for name, param in inspect.signature(call).parameters.items()  # type: ignore[arg-type]
        if "Db" in str(param.annotation)
    ]


def test_no_async_handler_is_given_a_database_handle(tmp_path: Path) -> None:
    """An `async def` handler runs on the event loop: a db handle there would read or write on it.
    Such handlers run commands (app.writer) and read through app.deps.reading instead."""
    app = create_app(Settings(data_dir=tmp_path))
    offenders = []
    for route in app.routes:
        if not isinstance(route, APIRoute | APIWebSocketRoute):
            continue
        if asyncio.iscoroutinefunction(route.endpoint) and _db_params(route.endpoint):
            offenders.append(f"{route.path} {route.endpoint.__name__}")
    assert offenders == []
    assert _db_params(_takes_db) == ["db"], "the check itself sees a db handle where there is one"


def _takes_db(db: Db) -> None: ...
