"""A month and more of real use in one test: the server's clock is moved forward by libfaketime
(Debian's faketime, preloaded into the server process only; nothing in the app is a test hook).

Day 0 a lived-in session (published), day 7 a short one, day 20 another lived-in one; the server is
restarted between days. Day 32: the first is purged as the server starts; then, while it runs, the
clock reaches day 39 and the retention loop purges the second. Then the newest migration is taken
back and the server applies it again to a database that holds all of this; day 52 the third is
purged. At the end every summary is byte-identical to the day it ended, no raw row of a purged
session remains (every table, by its foreign keys), and the server starts.
"""

from __future__ import annotations

import asyncio
import glob
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlmodel import SQLModel

from app.config import Settings
from app.db import alembic_config, connect, schema_change
from app.retention import KEPT
from tests.live.test_lived_in import linked_rows
from tests.utils.clients import Facilitator, arm_csrf
from tests.utils.lived_in import a_short_session, live_a_session
from tests.utils.server import FACILITATOR, REVIEWER, LiveServer

LIBFAKETIME = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
pytestmark = pytest.mark.skipif(
    not LIBFAKETIME, reason="libfaketime is missing (apt-get install faketime; scripts/test does)"
)
FORMATS = ("json", "md", "csv")


class Month:
    """A server whose clock is `day` days ahead of the machine's, moved by writing one file."""

    def __init__(self, data_dir: Path) -> None:
        self.clock = data_dir.parent / "faketime.rc"
        self.set_day(0)
        self.server = LiveServer(
            data_dir,
            env={
                "LD_PRELOAD": LIBFAKETIME[0],
                "FAKETIME_TIMESTAMP_FILE": str(self.clock),
                "FAKETIME_CACHE_DURATION": "1",  # a new day is seen within a second
                "SPARRING_RETENTION_DAYS": "30",
                "SPARRING_RETENTION_CHECK_SECONDS": "0.2",
            },
        )

    def set_day(self, day: int) -> None:
        self.clock.write_text(f"+{day}d\n")

    def day(self, day: int) -> Facilitator:
        """Start the server on this day; a facilitator logged in (yesterday's login has ended)."""
        self.set_day(day)
        self.server.start()
        fac = Facilitator(self.server.url)
        fac.login(*FACILITATOR)
        return fac


def summaries(fac: Facilitator, code: str) -> dict[str, bytes]:
    base = f"/facilitator/sessions/{code}"
    found = {fmt: fac.http.get(f"{base}/summary.{fmt}") for fmt in FORMATS}
    assert all(r.status_code == 200 for r in found.values()), code
    return {fmt: r.content for fmt, r in found.items()}


def purged(data_dir: Path, code: str) -> bool:
    db = sqlite3.connect(data_dir / "sparring.db")
    try:
        row = db.execute("SELECT purged_at FROM session WHERE code = ?", (code,)).fetchone()
        return row[0] is not None
    finally:
        db.close()


def raw_rows(data_dir: Path, code: str) -> dict[str, int | None]:
    db = sqlite3.connect(data_dir / "sparring.db")
    try:
        (session_id,) = db.execute("SELECT id FROM session WHERE code = ?", (code,)).fetchone()
        tables = SQLModel.metadata.tables
        return {n: linked_rows(db, t, session_id) for n, t in tables.items() if n not in KEPT}
    finally:
        db.close()


def test_a_month_of_sessions_retention_restarts_and_a_migration(tmp_path: Path) -> None:
    data = tmp_path / "data"
    month = Month(data)
    month.server.add_facilitator()
    month.server.add_user(*REVIEWER, role="reviewer")
    kept: dict[str, dict[str, bytes]] = {}
    try:
        fac = month.day(0)
        first = asyncio.run(live_a_session(month.server, fac, "Chefforum januar"))
        kept[first.code] = summaries(fac, first.code)
        month.server.stop()

        fac = month.day(7)
        second = asyncio.run(a_short_session(month.server, fac, "Ledermøde uge 2"))
        kept[second] = summaries(fac, second)
        month.server.stop()

        fac = month.day(20)
        third = asyncio.run(live_a_session(month.server, fac, "Chefforum februar"))
        kept[third.code] = summaries(fac, third.code)
        month.server.stop()

        fac = month.day(32)  # the first ended 32 days ago: purged as the server starts
        assert purged(data, first.code) and not purged(data, second)
        month.set_day(39)  # ... and the second, 32 days after its end, while the server runs
        deadline = time.monotonic() + 30
        while not purged(data, second) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert purged(data, second), "the running server's retention loop did not purge it"
        assert not purged(data, third.code)
        fac = Facilitator(month.server.url)  # a week later: the login has ended
        fac.login(*FACILITATOR)
        for code in (first.code, second):
            assert summaries(fac, code) == kept[code], f"the summary of {code} changed"
        month.server.stop()

        engine = connect(Settings(data_dir=data))  # the newest migration, taken back ...
        with schema_change(engine) as connection:
            command.downgrade(alembic_config(connection), "-1")
        engine.dispose()
        fac = month.day(52)  # ... is applied again as the server starts, to all of this
        assert purged(data, third.code)
        for code, before in kept.items():
            assert summaries(fac, code) == before, f"the summary of {code} changed"
            assert set(raw_rows(data, code).values()) == {0}, raw_rows(data, code)
        reviewer = httpx.Client(base_url=month.server.url, timeout=10)
        reviewer.get("/review/login")
        arm_csrf(reviewer)
        reviewer.post("/review/login", data={"username": REVIEWER[0], "password": REVIEWER[1]})
        r = reviewer.get(f"/review/sessions/{first.code}")
        assert r.status_code == 200 and "Chefforum januar" in r.text
        assert reviewer.get("/review/trends").status_code == 200
    finally:
        month.server.stop()
