"""Several processes start on one database at once (replicas behind a proxy, `--workers N`): each
seeds the case library and makes the first facilitator if there is none. Both are writes after a
read, and two starting together both read "none" and both inserted: one replica died with a
UniqueViolation on the facilitator's name (seen in the topology test). SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import Session as Db

from app import library
from app.cli import ensure_first_facilitator
from tests.utils.rooms import SEED


def _at_once(engine: Engine, start: Callable[[Db], object], count: int = 3) -> list[BaseException]:
    """`start` in `count` threads released together, each with its own session; what they raised."""
    gate = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        gate.wait()
        try:
            with Db(engine) as db:
                start(db)
        except BaseException as exc:  # reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_processes_starting_together_make_one_first_facilitator(
    engine: Engine, tmp_path: Path
) -> None:
    assert _at_once(engine, lambda db: ensure_first_facilitator(db, tmp_path)) == []
    with Db(engine) as db:
        users = db.exec(text('SELECT username FROM "user"')).all()
    assert [tuple(row) for row in users] == [("facilitator",)]
    assert "adgangskode:" in (tmp_path / "first-login.txt").read_text()


def test_processes_starting_together_seed_the_library_once(engine: Engine) -> None:
    assert _at_once(engine, lambda db: library.seed_library(db, SEED)) == []
    with Db(engine) as db:
        slugs = [row[0] for row in db.exec(text("SELECT slug FROM librarycase")).all()]
    assert slugs and len(slugs) == len(set(slugs))
