"""The database tests' engine: each test runs on SQLite and on PostgreSQL (skipped, with the reason,
where no PostgreSQL answers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.config import Settings
from app.db import make_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = make_engine(Settings(data_dir=tmp_path))
        yield made
        made.dispose()
        return
    postgres = pytest.importorskip("tests.utils.postgres")
    if postgres.postgres_missing():
        pytest.skip(postgres.postgres_missing())
    with postgres.fresh_database() as url:
        made = make_engine(Settings(data_dir=tmp_path, database_url=url))
        yield made
        made.dispose()
