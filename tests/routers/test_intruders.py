"""Intruders guessing their way in over HTTP. An anonymous browser, a phone of another session, a
reviewer, a reviewer the summary was not published to, and another facilitator of the same
installation each try every operation of the API schema and every staff socket, with every session
code they might have learnt or guessed. Only the reviewer it was published to reads a summary: live
sessions, drafts, raw rows and the exports of unpublished sessions stay closed to all of them,
another facilitator's sessions too, and nothing they send changes anything. A co-facilitator drives
the room until the owner removes them; their open control page is closed then."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session as Db
from sqlmodel import func, select
from starlette.websockets import WebSocketDisconnect

from app import services
from app.cli import add_user
from app.config import Settings
from app.models import LibraryCase, Participant, Post, Session, SessionCase, User, Vote
from tests.routers.conftest import (
    PASSWORD,
    app_client,
    joined_phone,
    log_in,
    new_session,
    publish,
)
from tests.routers.summary_setup import play
from tests.routers.test_logins import close_code
from tests.utils.clients import arm_csrf

LIVE_REASON = "Levende-begrundelse-ZX81"
DRAFT_REASON, DRAFT_ANSWER, DRAFT_NOTE = (
    "Kladde-begrundelse-QW12",
    "Kladde-svar-QW13",
    "Kladde-note-QW14",
)
PUBLISHED_ANSWER, PUBLISHED_NOTE = "Offentligt-svar-PB21", "Offentlig-note-PB22"
ALIASES = ["Hemmelige Hanne", "Hemmelige Hugo", "Hemmelige Hilda", "Hemmelige Holger"]
NEVER_SHOWN = [LIVE_REASON, DRAFT_REASON, DRAFT_ANSWER, DRAFT_NOTE, *ALIASES]
FOR_REVIEWERS = [PUBLISHED_ANSWER, PUBLISHED_NOTE]
# Left out: joining with a code is open to anyone (tests/routers/test_join_limits.py limits guessing),
# and logging out would only end the intruder's own login.
OPEN_BY_DESIGN = {("post", "/join"), ("post", "/facilitator/logout")}
OTHER_FACILITATOR, OTHER_REVIEWER, CO = "fac2", "chef2", "medfac"
NOT_SHARED = "er en anden facilitators"
STAFF_ONLY = ("/facilitator", "/projector")
LOGIN_PAGES = ("/facilitator/login", "/review/login", "/admin/login")


class Room:
    """Four sessions: live, ended as a draft, published, and the intruding phone's own."""

    def __init__(self, http: TestClient) -> None:
        with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
            add_user(db, OTHER_FACILITATOR, PASSWORD, "facilitator")
            add_user(db, OTHER_REVIEWER, PASSWORD, "reviewer")
        log_in(http)
        self.live = new_session(http)
        with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
            session = services.session_by_code(db, self.live)
            people = [services.join(db, self.live, alias)[1] for alias in ALIASES]
            services.start_session(db, session)
            services.change_phase(db, session, "next")
            case = services.current_case(db, session)
            for person in people:
                services.vote(db, session, person, case.id, "A", LIVE_REASON)
            db.commit()  # services never commit: the test is their writer here
        self.draft = new_session(http)
        play(http, self.draft, ALIASES, list("AABB"), list("AAAB"), DRAFT_REASON, DRAFT_ANSWER)
        http.post(f"/facilitator/sessions/{self.draft}/notes", data={"note": DRAFT_NOTE})
        self.published = new_session(http)
        play(http, self.published, ALIASES, list("AAAB"), list("AAAA"), answer=PUBLISHED_ANSWER)
        http.post(f"/facilitator/sessions/{self.published}/notes", data={"note": PUBLISHED_NOTE})
        assert publish(http, self.published) == 303
        self.own = new_session(http)
        for code, texts in ((self.draft, [DRAFT_ANSWER, DRAFT_NOTE]), (self.live, [])):
            page = http.get(f"/facilitator/sessions/{code}/summary.json").text
            assert all(text in page for text in texts), "the secrets are really there"
        http.post("/facilitator/logout")
        self.codes = [self.live, self.draft, self.published, self.own, "QQQQQQ", self.draft.lower()]


def state(http: TestClient) -> dict[str, Any]:
    """Everything an intruder might try to change."""
    with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
        sessions = db.exec(select(Session).order_by(Session.code)).all()
        return {
            "sessions": [
                (s.code, s.status, s.position, s.published_at, s.purged_at, s.summary_json)
                for s in sessions
            ],
            "phases": db.exec(select(SessionCase.id, SessionCase.phase)).all(),
            "people": db.exec(select(func.count()).select_from(Participant)).one(),
            "votes": db.exec(select(func.count()).select_from(Vote)).one(),
            "posts": db.exec(select(Post.text, Post.hidden)).all(),
            "accounts": db.exec(
                select(User.username, User.role, User.disabled, User.password_hash)
            ).all(),
            "library": db.exec(
                select(LibraryCase.slug, LibraryCase.archived, LibraryCase.text)
            ).all(),
        }


def requests(http: TestClient, room: Room) -> Iterator[tuple[str, str, str | None]]:
    """(method, path, the session code in it) for every operation, every code, every format."""
    values = {
        "code": room.codes,
        "fmt": ["json", "md", "csv", "pdf"],
        "slug": ["kl-01-spareoevelsen"],
        "set_slug": ["kl"],
        "screen": ["phone"],
        "submission_id": ["1"],
        "lang": ["da"],
        "user_id": ["1", "2"],
    }
    for path, operations in http.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        names = re.findall(r"{(\w+)}", path)
        for method in operations:
            if (method, path) in OPEN_BY_DESIGN:
                continue
            for combination in itertools.product(*(values[name] for name in names)):
                filled = dict(zip(names, combination, strict=True))
                yield method.upper(), path.format(**filled), filled.get("code")


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Room]]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("intruders")))
    with app_client(settings) as http:
        yield http, Room(http)


def intruder(http: TestClient, who: str, room: Room) -> TestClient:
    if who == "phone":
        return joined_phone(http, room.own)
    person = TestClient(http.app, follow_redirects=False)
    person.get("/")
    arm_csrf(person)
    if who in ("reviewer", "other reviewer"):
        name = "chef" if who == "reviewer" else OTHER_REVIEWER
        r = person.post("/review/login", data={"username": name, "password": PASSWORD})
        assert r.status_code == 303
    if who == "facilitator":
        r = person.post(
            "/facilitator/login", data={"username": OTHER_FACILITATOR, "password": PASSWORD}
        )
        assert r.status_code == 303
    return person


@pytest.mark.parametrize("who", ["anonymous", "phone", "reviewer", "other reviewer"])
def test_guessing_codes_shows_only_published_summaries_to_reviewers(
    room: tuple[TestClient, Room], who: str
) -> None:
    http, sessions = room
    person = intruder(http, who, sessions)
    before = state(http)
    hidden = NEVER_SHOWN + ([] if who == "reviewer" else FOR_REVIEWERS)
    tried = 0
    for method, path, code in requests(http, sessions):
        r = person.request(method, path)
        tried += 1
        assert r.status_code < 500, (method, path)
        shown = [text for text in hidden if text in r.text]
        assert shown == [], (who, method, path, shown)
        if path.startswith(STAFF_ONLY) and not path.startswith(LOGIN_PAGES):
            assert r.status_code == 303, (who, method, path)
            assert r.headers["location"].startswith("/facilitator/login"), (who, method, path)
        if path.startswith("/admin") and not path.startswith(LOGIN_PAGES):  # no admin here
            assert r.status_code == 303, (who, method, path)
            assert r.headers["location"].startswith("/admin/login"), (who, method, path)
        if path.startswith("/review") and not path.startswith(LOGIN_PAGES):
            if who not in ("reviewer", "other reviewer"):
                assert r.status_code == 303, (who, method, path)
                assert r.headers["location"].startswith("/review/login"), (who, method, path)
            elif code is None or (code == sessions.published and who == "reviewer"):
                assert r.status_code == 200, (method, path)
            else:  # a draft, a live session, a wrong code, published to others: all the same
                assert r.status_code == 404, (method, path)
    assert tried > 150
    assert state(http) == before, "an intruder changed something"
    if who == "reviewer":
        page = person.get(f"/review/sessions/{sessions.published}").text
        assert PUBLISHED_ANSWER in page and PUBLISHED_NOTE in page  # the test can see a leak
    if who == "other reviewer":  # published, but to someone else: not even in the list
        assert sessions.published not in person.get("/review").text


def test_another_facilitator_neither_sees_nor_drives_a_session(
    room: tuple[TestClient, Room],
) -> None:
    """Every operation on a session of someone else's, with every code: a clear 403 (404 for a code
    that does not exist), nothing shown, nothing changed. The library and new sessions of its own
    are shared by design, so the operations without a session code are left out here."""
    http, sessions = room
    person = intruder(http, "facilitator", sessions)
    before = state(http)
    tried = 0
    for method, path, code in requests(http, sessions):
        if code is None:
            continue
        r = person.request(method, path)
        tried += 1
        shown = [text for text in NEVER_SHOWN + FOR_REVIEWERS if text in r.text]
        assert shown == [], (method, path, shown)
        if path.startswith(STAFF_ONLY):
            assert r.status_code == (404 if code == "QQQQQQ" else 403), (method, path)
            assert code == "QQQQQQ" or NOT_SHARED in r.text, (method, path)
    assert tried > 100
    assert state(http) == before, "another facilitator changed something"
    dashboard = person.get("/facilitator")
    assert dashboard.status_code == 200
    assert [code for code in sessions.codes[:4] if code in dashboard.text] == []


@pytest.mark.parametrize("who", ["anonymous", "phone", "reviewer", "facilitator"])
def test_staff_sockets_refuse_every_code(room: tuple[TestClient, Room], who: str) -> None:
    http, sessions = room
    person = intruder(http, who, sessions)
    for code, screen in itertools.product(sessions.codes, ("facilitator", "projector")):
        with (
            person.websocket_connect(f"/ws/{screen}/{code}") as ws,
            pytest.raises(WebSocketDisconnect) as closed,
        ):
            ws.receive_text()
        assert closed.value.code == 1008, (who, screen, code)
    if who == "phone":  # its own socket: its own lobby, nothing of the other sessions
        with person.websocket_connect("/ws/p") as ws:
            view = ws.receive_text()
        assert [text for text in NEVER_SHOWN + FOR_REVIEWERS if text in view] == []
    else:
        with person.websocket_connect("/ws/p") as ws, pytest.raises(WebSocketDisconnect):
            ws.receive_text()


def signed_in_as(http: TestClient, username: str) -> dict[str, str]:
    """Log this client in as username from a clean jar; returns its cookies to switch back to."""
    http.cookies.clear()
    http.get("/")
    arm_csrf(http)
    r = http.post("/facilitator/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 303
    return dict(http.cookies)


def switch_to(http: TestClient, jar: dict[str, str]) -> None:
    http.cookies.clear()
    http.cookies.update(jar)
    arm_csrf(http)


def test_a_co_facilitator_drives_until_removed_and_the_open_page_closes(
    client: TestClient,
) -> None:
    http = client
    with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
        co_id = add_user(db, CO, PASSWORD, "facilitator").id
    owner = signed_in_as(http, "fac")
    code = new_session(http)
    with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
        session = services.session_by_code(db, code)
        people = [services.join(db, code, alias)[1] for alias in ALIASES]
        services.start_session(db, session)
        services.change_phase(db, session, "next")
        case = services.current_case(db, session)
        for person in people:
            services.vote(db, session, person, case.id, "A", LIVE_REASON)
        db.commit()  # services never commit: the test is their writer here
    base = f"/facilitator/sessions/{code}"

    co = signed_in_as(http, CO)
    r = http.get(base)
    assert r.status_code == 403 and NOT_SHARED in r.text and LIVE_REASON not in r.text

    switch_to(http, owner)
    r = http.post(f"{base}/share", data={"username": "nobody"})
    assert r.status_code == 400 and "ingen facilitator med brugernavnet" in r.text
    assert http.post(f"{base}/share", data={"username": "chef"}).status_code == 400  # a reviewer
    r = http.post(f"{base}/share", data={"username": CO})
    assert r.status_code == 303
    assert CO in http.get(r.headers["location"]).text

    switch_to(http, co)
    assert code in http.get("/facilitator").text
    page = http.get(base)
    assert page.status_code == 200 and "Du er medfacilitator" in page.text
    assert http.post(f"{base}/share", data={"username": "fac2"}).status_code == 403  # owner only
    with http.websocket_connect(f"/ws/facilitator/{code}") as ws:
        assert LIVE_REASON in ws.receive_text()  # the live reasons, as the owner sees them
        r = http.post(f"{base}/phase", data={"action": "next"})
        assert r.status_code == 200 and "flash-error" not in r.text  # co-facilitators drive

        switch_to(http, owner)
        assert http.post(f"{base}/share", data={"remove": str(co_id)}).status_code == 303
        assert close_code(ws) == 4403  # closed at once; the page reloads onto the refusal

    switch_to(http, co)
    assert http.get(base).status_code == 403
    assert http.post(f"{base}/phase", data={"action": "next"}).status_code == 403
    assert code not in http.get("/facilitator").text
    with (
        http.websocket_connect(f"/ws/projector/{code}") as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_text()
    assert closed.value.code == 1008
    with Db(http.app.state.engine) as db:  # type: ignore[attr-defined]
        assert services.session_by_code(db, code).position == 0
        assert services.current_case(db, services.session_by_code(db, code)).phase == "discuss"
