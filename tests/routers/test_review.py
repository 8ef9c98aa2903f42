"""Management reads published summaries only: no live sessions, no drafts, no raw rows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.routers.conftest import PASSWORD, new_session, publish
from tests.routers.summary_setup import play

NAMES = ["Annelise", "Bodil", "Carsten", "Dorthea"]


def as_reviewer(http: TestClient) -> None:
    http.post("/facilitator/logout")
    r = http.post("/review/login", data={"username": "chef", "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/review"


def test_reviewers_read_published_summaries_only(logged_in: TestClient) -> None:
    live, draft, published = (new_session(logged_in) for _ in range(3))
    logged_in.post(f"/facilitator/sessions/{live}/start")
    play(logged_in, draft, NAMES, list("AABB"), list("AAAB"))
    play(logged_in, published, NAMES, list("AAAB"), list("AAAA"), answer="Vi vælger A.")
    logged_in.post(f"/facilitator/sessions/{published}/notes", data={"note_1": "God drøftelse."})
    assert publish(logged_in, published) == 303
    as_reviewer(logged_in)

    listing = logged_in.get("/review").text
    assert f"/review/sessions/{published}" in listing
    assert draft not in listing and live not in listing
    assert "Dilemma med afstemning" in listing
    page = logged_in.get(f"/review/sessions/{published}").text
    assert "Vi vælger A." in page and "God drøftelse." in page and "<svg" in page
    assert "textarea" not in page, "reviewers cannot edit notes"
    for alias in NAMES:
        assert alias not in page
    for fmt in ("pdf", "md", "json", "csv"):
        assert logged_in.get(f"/review/sessions/{published}/summary.{fmt}").status_code == 200
    for code in (draft, live, "NOPE99"):
        r = logged_in.get(f"/review/sessions/{code}")
        assert r.status_code == 404 and "ingen offentliggjort opsummering" in r.text
        assert logged_in.get(f"/review/sessions/{code}/summary.json").status_code == 404
    trends = logged_in.get("/review/trends").text
    assert "Tendenser pr. pligt" in trends and "<polyline" in trends
    assert "1 offentliggjort session." in trends, "one session, in the singular"


def test_reviewers_cannot_reach_facilitator_pages_or_live_data(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    logged_in.post(f"/facilitator/sessions/{code}/start")
    as_reviewer(logged_in)
    for path in (
        "/facilitator",
        f"/facilitator/sessions/{code}",
        f"/facilitator/sessions/{code}/summary",
        f"/facilitator/sessions/{code}/summary.json",
        f"/projector/{code}",
    ):
        r = logged_in.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/facilitator/login"), path
    assert logged_in.post(f"/facilitator/sessions/{code}/end").status_code == 303
    assert logged_in.post(f"/facilitator/sessions/{code}/purge").status_code == 303
    for socket in (f"/ws/facilitator/{code}", f"/ws/projector/{code}"):
        with pytest.raises(WebSocketDisconnect), logged_in.websocket_connect(socket) as ws:
            ws.receive_text()


def test_review_needs_a_reviewer_login(client: TestClient) -> None:
    r = client.get("/review/trends")
    assert r.status_code == 303 and r.headers["location"] == "/review/login?next=/review/trends"
    assert "Log ind som leder" in client.get("/review/login").text
    r = client.post("/review/login", data={"username": "fac", "password": PASSWORD})
    assert r.status_code == 401, "a facilitator account is not a reviewer account"
    r = client.post("/review/login", data={"username": "chef", "password": "forkert"})
    assert r.status_code == 401 and "Forkert brugernavn eller adgangskode" in r.text
    r = client.post(
        "/review/login", data={"username": "chef", "password": PASSWORD, "next": "//evil.example"}
    )
    assert r.headers["location"] == "/review"
