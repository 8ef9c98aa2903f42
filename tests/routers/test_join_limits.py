"""Join codes cannot be enumerated: wrong codes are counted per client and then refused."""

from __future__ import annotations

import math

from fastapi.testclient import TestClient

from app.domain import codes
from app.routers.participant import JOIN_FAILURES_PER_MINUTE
from tests.routers.conftest import new_session
from tests.utils.clients import arm_csrf


def test_guessing_codes_is_stopped_per_client(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    for n in range(JOIN_FAILURES_PER_MINUTE):
        r = logged_in.post("/join", data={"code": f"ZZZZ{n:02d}"})
        assert r.status_code == 400 and "Der findes ingen session" in r.text
    r = logged_in.post("/join", data={"code": "ZZZZZZ"})
    assert r.status_code == 429 and "For mange forsøg" in r.text
    # Not even the right code is confirmed now: a script learns nothing more this minute.
    r = logged_in.post("/join", data={"code": code})
    assert r.status_code == 429
    # Another client (another phone in the room) is not affected.
    other = TestClient(logged_in.app, client=("10.0.0.7", 50000), follow_redirects=False)
    other.get("/")
    arm_csrf(other)
    assert other.post("/join", data={"code": code}).status_code == 303


def test_codes_are_too_many_to_find_by_guessing() -> None:
    space = len(codes.ALPHABET) ** codes.LENGTH
    assert math.log2(space) > 28
    # One client guessing at the limit for a whole day against 100 live sessions: under 1 %.
    guesses = JOIN_FAILURES_PER_MINUTE * 60 * 24
    assert guesses * 100 / space < 0.01
