"""Facilitators' and reviewers' logins live on the server: logout, idle time, a new password or a
removed account end them, and a copy of the cookie is refused from then on."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session as Db
from sqlmodel import select
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from app import auth
from app.cli import remove_user, set_password
from app.config import Settings
from app.models import Login, User
from tests.routers.conftest import PASSWORD, app_client, log_in, new_session
from tests.utils.clients import arm_csrf

ENDED = "Dit login er udløbet"


class Clock:
    """The app's clock (app.state.clock), moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock(client: TestClient) -> Clock:
    clock = Clock()
    client.app.state.clock = clock  # type: ignore[attr-defined]
    return clock


def copy_of(http: TestClient) -> TestClient:
    """Another browser holding the same cookies: what a thief of the cookie has."""
    thief = TestClient(http.app, follow_redirects=False)
    thief.cookies.update(http.cookies)
    arm_csrf(thief)
    return thief


def refused(http: TestClient, path: str = "/facilitator") -> bool:
    r = http.get(path)
    if r.status_code != 303 or "/login?" not in r.headers["location"]:
        return False
    page = http.get(r.headers["location"])
    return "ended=1" in r.headers["location"] and ENDED in page.text


def logins(http: TestClient) -> list[Login]:
    with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
        return list(db.exec(select(Login)).all())


def db_of(http: TestClient) -> Db:
    return Db(http.app.state.engine)  # type: ignore[attr-defined]


def test_a_copied_cookie_is_refused_after_logout(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    thief = copy_of(logged_in)
    assert thief.get("/facilitator").status_code == 200
    stolen = str(logged_in.cookies.get("sparring_f"))
    token = json.loads(base64.b64decode(stolen.split(".")[0]))["login"]
    [login] = logins(logged_in)
    assert login.id == auth.token_hash(token) != token  # the table holds only the token's hash

    assert logged_in.post("/facilitator/logout").status_code == 303
    assert logins(logged_in) == []
    assert refused(thief)
    assert "sparring_f" not in thief.cookies  # the ended login's cookie is cleared
    thief.cookies.set(
        "sparring_f", stolen
    )  # kept and sent again: htmx and websockets refuse it too
    r = thief.post(f"/facilitator/sessions/{code}/start", headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["hx-redirect"].startswith("/facilitator/login?")
    with (
        thief.websocket_connect(f"/ws/facilitator/{code}") as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_text()
    assert closed.value.code == 1008


def test_idle_logins_expire_and_use_keeps_them(client: TestClient, clock: Clock) -> None:
    log_in(client)
    start = clock()
    for _ in range(
        3
    ):  # 3 x 90 minutes, past the 2 hours idle limit in all, but never idle that long
        clock.advance(minutes=90)
        assert client.get("/facilitator").status_code == 200
    clock.advance(seconds=30)
    client.get("/facilitator")
    [login] = logins(client)
    assert login.seen_at == start + timedelta(minutes=270)  # written at most once a minute
    thief = copy_of(client)
    clock.advance(minutes=121)
    assert refused(client)
    assert refused(thief)
    assert logins(client) == []  # the expired login is gone from the table


def test_a_login_ends_after_twelve_hours_however_busy(client: TestClient, clock: Clock) -> None:
    log_in(client)
    for _ in range(12):
        clock.advance(minutes=59)
        assert client.get("/facilitator").status_code == 200
    clock.advance(minutes=13)  # 12 h 01 min after logging in
    assert refused(client)
    log_in(client)
    assert client.get("/facilitator").status_code == 200


def test_reviewer_logins_expire_too(client: TestClient, clock: Clock) -> None:
    r = client.post("/review/login", data={"username": "chef", "password": PASSWORD})
    assert r.status_code == 303
    assert client.get("/review").status_code == 200
    clock.advance(hours=2, minutes=1)
    assert refused(client, "/review")
    assert client.get("/review").headers["location"] == "/review/login?next=/review"


def test_a_new_password_or_removal_ends_every_login(client: TestClient) -> None:
    log_in(client)
    other_browser = copy_of(client)
    with db_of(client) as db:
        set_password(db, "fac", "nyt-kodeord-123")
    assert refused(client) and refused(other_browser)
    assert (
        client.post(
            "/facilitator/login", data={"username": "fac", "password": PASSWORD}
        ).status_code
        == 401
    )
    r = client.post("/facilitator/login", data={"username": "fac", "password": "nyt-kodeord-123"})
    assert r.status_code == 303 and client.get("/facilitator").status_code == 200
    new_session(client)
    with db_of(client) as db:
        remove_user(db, "fac")
    assert refused(client)
    r = client.post("/facilitator/login", data={"username": "fac", "password": "nyt-kodeord-123"})
    assert r.status_code == 401
    with db_of(client) as db:
        assert db.exec(select(User).where(User.username == "fac")).first() is None


def test_logging_in_again_replaces_the_login(logged_in: TestClient) -> None:
    before = copy_of(logged_in)
    log_in(logged_in)
    assert len(logins(logged_in)) == 1
    assert refused(before)
    assert logged_in.get("/facilitator").status_code == 200


def scrypt_hash(password: str) -> str:
    """A password hashed as Sparring did before argon2 (scrypt, N=2^14, r=8, p=1)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def test_an_old_scrypt_password_works_and_is_rehashed_with_argon2(client: TestClient) -> None:
    with db_of(client) as db:
        db.add(
            User(
                username="gammel", password_hash=scrypt_hash("gammelt-kodeord"), role="facilitator"
            )
        )
        db.commit()
    wrong = {"username": "gammel", "password": "forkert"}
    assert client.post("/facilitator/login", data=wrong).status_code == 401
    assert _hash_of(client, "gammel").startswith("scrypt$")
    right: dict[str, Any] = {"username": "gammel", "password": "gammelt-kodeord"}
    assert client.post("/facilitator/login", data=right).status_code == 303
    assert _hash_of(client, "gammel").startswith("$argon2id$")
    client.post("/facilitator/logout")
    assert client.post("/facilitator/login", data=right).status_code == 303


def _hash_of(http: TestClient, username: str) -> str:
    with db_of(http) as db:
        user = db.exec(select(User).where(User.username == username)).one()
        return user.password_hash


def test_an_unknown_user_is_told_the_same_as_a_wrong_password(client: TestClient) -> None:
    # A name no page holds otherwise ("ingen" is inside "forvaltningens").
    unknown = client.post("/facilitator/login", data={"username": "zqx-ukendt", "password": "x"})
    wrong = client.post("/facilitator/login", data={"username": "fac", "password": "x"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.text.replace("zqx-ukendt", "fac") == wrong.text


def test_guessing_a_password_is_stopped_for_a_minute(client: TestClient, clock: Clock) -> None:
    wrong = {"username": "fac", "password": "gæt"}
    for _ in range(10):
        assert client.post("/facilitator/login", data=wrong).status_code == 401
    r = client.post("/facilitator/login", data={"username": "fac", "password": PASSWORD})
    assert r.status_code == 429 and "For mange forkerte forsøg" in r.text  # even the right one
    r = client.post("/review/login", data={"username": "chef", "password": PASSWORD})
    assert r.status_code == 303, "another account is not held up"
    clock.advance(seconds=61)
    assert (
        client.post(
            "/facilitator/login", data={"username": "fac", "password": PASSWORD}
        ).status_code
        == 303
    )


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[TestClient]:
    """A facilitator whose open pages check their login every 50 ms instead of every 30 s."""
    with app_client(Settings(data_dir=tmp_path, login_recheck_seconds=0.05)) as http:
        yield log_in(http)


def close_code(ws: WebSocketTestSession, within: float = 10.0) -> int | None:
    """The code the server closes this socket with, reading pushes until then; None if it stays
    open that long (read in a thread: the test client's receive has no timeout)."""
    closed: dict[str, int] = {}

    def drain() -> None:
        try:
            while True:
                ws.receive_text()
        except WebSocketDisconnect as exc:
            closed["code"] = exc.code

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    reader.join(within)
    return closed.get("code")


@pytest.mark.parametrize("how", ["logout", "idle"])
def test_an_open_control_page_is_closed_when_its_login_ends(watched: TestClient, how: str) -> None:
    code = new_session(watched)
    clock = Clock()
    watched.app.state.clock = clock  # type: ignore[attr-defined]
    with watched.websocket_connect(f"/ws/facilitator/{code}") as control:
        assert "ctl-status" in control.receive_text()  # its full view: the login held
        if how == "logout":
            assert watched.post("/facilitator/logout").status_code == 303
        else:
            clock.advance(minutes=121)
        assert close_code(control) == 4401  # the page reloads on this code and meets the login
