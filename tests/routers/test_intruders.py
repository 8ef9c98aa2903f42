"""Intruders guessing their way in over HTTP. An anonymous browser, a phone of another session and a
reviewer each try every operation of the API schema and every staff socket, with every session code
they might have learnt or guessed. Only a reviewer reads a summary, and only a published one: live
sessions, drafts, raw rows and the exports of unpublished sessions stay closed to all three, and
nothing they send changes anything."""

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
from app.config import Settings
from app.models import LibraryCase, Participant, Post, Session, SessionCase, Vote
from tests.routers.conftest import PASSWORD, app_client, log_in, new_session
from tests.routers.summary_setup import play
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
STAFF_ONLY = ("/facilitator", "/projector")
LOGIN_PAGES = ("/facilitator/login", "/review/login")


class Room:
    """Four sessions: live, ended as a draft, published, and the intruding phone's own."""

    def __init__(self, http: TestClient) -> None:
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
        self.draft = new_session(http)
        play(http, self.draft, ALIASES, list("AABB"), list("AAAB"), DRAFT_REASON, DRAFT_ANSWER)
        http.post(f"/facilitator/sessions/{self.draft}/notes", data={"note": DRAFT_NOTE})
        self.published = new_session(http)
        play(http, self.published, ALIASES, list("AAAB"), list("AAAA"), answer=PUBLISHED_ANSWER)
        http.post(f"/facilitator/sessions/{self.published}/notes", data={"note": PUBLISHED_NOTE})
        assert http.post(f"/facilitator/sessions/{self.published}/publish").status_code == 303
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
    person = TestClient(http.app, follow_redirects=False)
    person.get("/")
    arm_csrf(person)
    if who == "phone":
        assert person.post("/join", data={"code": room.own}).status_code == 303
    if who == "reviewer":
        r = person.post("/review/login", data={"username": "chef", "password": PASSWORD})
        assert r.status_code == 303
    return person


@pytest.mark.parametrize("who", ["anonymous", "phone", "reviewer"])
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
        if path.startswith("/review") and not path.startswith(LOGIN_PAGES):
            if who != "reviewer":
                assert r.status_code == 303, (who, method, path)
                assert r.headers["location"].startswith("/review/login"), (who, method, path)
            elif code is None or code == sessions.published:
                assert r.status_code == 200, (method, path)
            else:  # a draft, a live session, a wrong code: all "no published summary"
                assert r.status_code == 404, (method, path)
    assert tried > 150
    assert state(http) == before, "an intruder changed something"
    if who == "reviewer":
        page = person.get(f"/review/sessions/{sessions.published}").text
        assert PUBLISHED_ANSWER in page and PUBLISHED_NOTE in page  # the test can see a leak


@pytest.mark.parametrize("who", ["anonymous", "phone", "reviewer"])
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
