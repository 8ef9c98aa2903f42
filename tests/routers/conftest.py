"""In-process app over HTTP (httpx through Starlette's TestClient) with its own data folder."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session as Db
from sqlmodel import col, select

from app.cli import add_user
from app.config import Settings
from app.main import create_app
from app.models import User
from tests.utils.clients import arm_csrf

PASSWORD = "korrekt-hest-batteri"


@contextmanager
def app_client(settings: Settings) -> Iterator[TestClient]:
    """The app on these settings, a facilitator (fac) and a reviewer (chef), CSRF cookie in hand."""
    fresh = not settings.sqlite_path.exists()
    template = fresh and settings.database_url == "" and settings.seed_dir == SEED_DIR
    if template:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(_template(), settings.sqlite_path)
    app = create_app(settings)
    with TestClient(app, follow_redirects=False) as http:
        http.get("/")
        arm_csrf(http)
        if not template:
            with Db(app.state.engine) as db:
                _add_users(db)
        yield http


SEED_DIR = Settings.model_fields["seed_dir"].default
_TEMPLATE = tempfile.TemporaryDirectory(prefix="sparring-template-")


def _template() -> Path:
    """A database as app_client makes it from nothing (migrated, the library seeded, both users),
    made once per run: migrating, seeding and two password hashes cost a third of a second in
    every test. Migrations from nothing are tested in tests/db/test_migrations.py."""
    made = Path(_TEMPLATE.name) / "sparring.db"
    if not made.exists():
        settings = Settings(data_dir=Path(_TEMPLATE.name) / "making")
        app = create_app(settings)
        with TestClient(app), Db(app.state.engine) as db:
            _add_users(db)
        source, copy = sqlite3.connect(settings.sqlite_path), sqlite3.connect(made)
        with source, copy:
            source.backup(copy)  # through the -wal file, whatever is still in it
        source.close()
        copy.close()
    return made


def _add_users(db: Db) -> None:
    add_user(db, "fac", PASSWORD, "facilitator")
    add_user(db, "chef", PASSWORD, "reviewer")


def log_in(http: TestClient) -> TestClient:
    r = http.post("/facilitator/login", data={"username": "fac", "password": PASSWORD})
    assert r.status_code == 303
    return http


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with app_client(Settings(data_dir=tmp_path)) as http:
        yield http


@pytest.fixture
def logged_in(client: TestClient) -> TestClient:
    return log_in(client)


def new_session(http: TestClient, slugs: list[str] | None = None, group_size: int = 4) -> str:
    cases = slugs or ["kl-01-spareoevelsen"]
    data = {"title": "Test", "group_size": group_size, "cases": cases}
    r = http.post("/facilitator/sessions", data=data)
    assert r.status_code == 303, r.text
    return str(r.headers["location"]).rsplit("/", 1)[-1]


def joined_phone(http: TestClient, code: str, address: str = "testclient") -> TestClient:
    """A phone of its own (cookies, and an address for the join limits) that joined the session."""
    phone = TestClient(http.app, client=(address, 50000), follow_redirects=False)
    phone.get("/")
    arm_csrf(phone)
    assert phone.post("/join", data={"code": code}).status_code == 303
    return phone


def reader_ids(http: TestClient, readers: tuple[str, ...] = ("chef",)) -> list[str]:
    """The form values that tick these reviewers (by username) on the publish form."""
    with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
        return [str(i) for i in db.exec(select(User.id).where(col(User.username).in_(readers)))]


def publish(http: TestClient, code: str, readers: tuple[str, ...] = ("chef",)) -> int:
    """Publish a summary to these reviewers (by username), as the publish form does."""
    data = {"reader": reader_ids(http, readers)}
    return http.post(f"/facilitator/sessions/{code}/publish", data=data).status_code
