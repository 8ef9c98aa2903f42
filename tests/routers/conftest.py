"""In-process app over HTTP (httpx through Starlette's TestClient) with its own data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session as Db

from app.cli import add_user
from app.config import Settings
from app.main import create_app
from tests.utils.clients import arm_csrf

PASSWORD = "korrekt-hest-batteri"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app, follow_redirects=False) as http:
        http.get("/")
        arm_csrf(http)
        with Db(app.state.engine) as db:
            add_user(db, "fac", PASSWORD, "facilitator")
            add_user(db, "chef", PASSWORD, "reviewer")
        yield http


@pytest.fixture
def logged_in(client: TestClient) -> TestClient:
    r = client.post("/facilitator/login", data={"username": "fac", "password": PASSWORD})
    assert r.status_code == 303
    return client


def new_session(http: TestClient, slugs: list[str] | None = None) -> str:
    cases = slugs or ["kl-01-spareoevelsen"]
    r = http.post("/facilitator/sessions", data={"title": "Test", "group_size": 4, "cases": cases})
    assert r.status_code == 303, r.text
    return str(r.headers["location"]).rsplit("/", 1)[-1]
