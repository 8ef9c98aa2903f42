"""A session whose raw rows cannot be purged stops neither the server nor the other sessions'
purges: it is logged, kept on the session for its facilitator to see, and tried again."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlmodel import Session as Db
from sqlmodel import col, select

from app.config import Settings
from app.db import connect
from app.models import Participant, Session, Vote
from tests.routers.conftest import PASSWORD, app_client, log_in, new_session
from tests.routers.summary_setup import play
from tests.utils.clients import Facilitator
from tests.utils.server import LiveServer

PEOPLE = ["Anna", "Bo", "Carl", "Dorte", "Eva", "Finn"]


def sessions(data_dir: Path) -> tuple[str, str]:
    """Two ended sessions, ended 31 days ago; the first one's participants cannot be deleted (a
    trigger in the database, as a real fault would: a lock, a constraint, a full disk)."""
    with app_client(Settings(data_dir=data_dir)) as http:
        stuck, fine = new_session(log_in(http)), new_session(http)
        play(http, stuck, PEOPLE[:3], list("AAB"), list("AAA"))
        play(http, fine, PEOPLE[3:], list("ABB"), list("BBB"))
        with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
            for row in db.exec(select(Session)).all():
                assert row.ended_at is not None
                row.ended_at -= timedelta(days=31)
                db.add(row)
            stuck_id = db.exec(select(Session.id).where(Session.code == stuck)).one()
            db.exec(  # type: ignore[call-overload]
                text(
                    "CREATE TRIGGER planted_fault BEFORE DELETE ON participant "
                    f"WHEN old.session_id = {int(stuck_id)} "
                    "BEGIN SELECT RAISE(ABORT, 'planted fault'); END"
                )
            )
            db.commit()
    return stuck, fine


def rows(data_dir: Path, code: str) -> tuple[int, int, Session]:
    """The session's participants and votes as the database holds them."""
    engine = connect(Settings(data_dir=data_dir))
    try:
        with Db(engine) as db:
            session = db.exec(select(Session).where(Session.code == code)).one()
            people = db.exec(select(Participant.id).where(Participant.session_id == session.id))
            ids = list(people)
            votes = db.exec(select(Vote).where(col(Vote.participant_id).in_(ids))).all()
            return len(ids), len(votes), session
    finally:
        engine.dispose()


def test_the_cli_purges_what_it_can_and_names_what_it_could_not(tmp_path: Path) -> None:
    stuck, fine = sessions(tmp_path)
    env = {**os.environ, "SPARRING_DATA_DIR": str(tmp_path), "SPARRING_RETENTION_DAYS": "30"}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "purge"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1, done
    assert fine in done.stdout and stuck in done.stderr and "planted fault" in done.stderr
    people, votes, session = rows(tmp_path, stuck)
    assert (people, votes) == (3, 6), "the failed purge left nothing half done"
    assert session.purged_at is None and session.purge_failed_at is not None
    assert rows(tmp_path, fine)[:2] == (0, 0)


def test_the_server_starts_and_shows_the_facilitator_what_failed(tmp_path: Path) -> None:
    stuck, fine = sessions(tmp_path)
    server = LiveServer(tmp_path, env={"SPARRING_RETENTION_DAYS": "30"})
    server.start()  # raised "Application startup failed" before
    try:
        fac = Facilitator(server.url)
        fac.login("fac", PASSWORD)
        assert "sletning af rådata mislykkedes" in fac.http.get("/facilitator").text
        page = fac.http.get(f"/facilitator/sessions/{stuck}/summary").text
        assert "Sletningen af rådata mislykkedes" in page
        assert "blev slettet" in fac.http.get(f"/facilitator/sessions/{fine}/summary").text

        before = fac.http.get(f"/facilitator/sessions/{stuck}/summary.json").text
        r = fac.http.post(f"/facilitator/sessions/{stuck}/purge", data={"confirm": "1"})
        assert r.status_code == 400 and "kunne ikke slettes lige nu" in r.text, r.text[:500]
        assert httpx.get(f"{server.url}/api/health").status_code == 200
    finally:
        server.stop()
    assert "planted fault" in (tmp_path / "server.log").read_text()

    engine = connect(Settings(data_dir=tmp_path))
    with engine.begin() as connection:  # the fault mended
        connection.execute(text("DROP TRIGGER planted_fault"))
    engine.dispose()
    server.start()
    try:
        r = fac.http.post(f"/facilitator/sessions/{stuck}/purge", data={"confirm": "1"})
        assert r.status_code == 303
        assert fac.http.get(f"/facilitator/sessions/{stuck}/summary.json").text == before
        page = fac.http.get(f"/facilitator/sessions/{stuck}/summary").text
        assert "mislykkedes" not in page and "blev slettet" in page
    finally:
        server.stop()
    people, votes, session = rows(tmp_path, stuck)
    assert (people, votes) == (0, 0) and session.purge_failed_at is None
