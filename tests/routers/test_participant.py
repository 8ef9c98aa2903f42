"""Joining from a phone over HTTP: codes, cookies, refusals in Danish, JSON errors for the API."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from tests.routers.conftest import app_client, new_session


def test_join_page_and_qr_link_prefill_the_code(client: TestClient) -> None:
    assert 'name="code"' in client.get("/").text
    assert 'value="ABC123"' in client.get("/j/ABC123").text


def test_unknown_code_is_refused_in_danish(client: TestClient) -> None:
    r = client.post("/join", data={"code": "ZZZZZZ"})
    assert r.status_code == 400
    assert "Der findes ingen session med koden" in r.text and "ZZZZZZ" in r.text


def test_join_sets_an_httponly_cookie_and_forgives_case_and_spaces(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    typed = " ".join(code.lower())  # "a b c d e f": what people type from a projector
    r = logged_in.post("/join", data={"code": typed, "alias": "Mette"})
    assert r.status_code == 303 and r.headers["location"] == "/p"
    cookie = r.headers["set-cookie"]
    assert "sparring_p=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = logged_in.get("/p").text
    assert "Du er med" in page and "Deltager 1" in page and "Mette" in page


def test_alias_and_code_lengths_are_limited(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    r = logged_in.post("/join", data={"code": code, "alias": "x" * 41})
    assert r.status_code == 400 and "højst være 40 tegn" in r.text
    r = logged_in.post("/join", data={"code": "A" * 500})
    assert r.status_code == 400 and "Ugyldige eller manglende felter" in r.text


def test_phone_page_without_cookie_goes_to_join(client: TestClient) -> None:
    r = client.get("/p")
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_api_answers_in_json(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}
    r = client.get("/api/me")
    assert r.status_code == 401 and "deltag" in r.json()["detail"]
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and r.json() == {"detail": "Siden findes ikke."}
    r = client.get("/nothing-here")
    assert r.status_code == 404 and "Siden findes ikke." in r.text and "<html" in r.text


def test_a_phone_cannot_drive_the_session(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    logged_in.post("/join", data={"code": code})
    logged_in.post("/facilitator/logout")
    r = logged_in.post(f"/facilitator/sessions/{code}/start")
    assert r.status_code == 303 and "/facilitator/login" in r.headers["location"]
    assert logged_in.get("/api/me").json()["status"] == "lobby", "the session did not start"


def test_the_privacy_notice_reads_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, retention_days=7, privacy_contact="DPO Thisted, dpo@thisted.dk"
    )
    with app_client(settings) as http:
        assert 'href="/privatliv"' in http.get("/").text
        page = http.get("/privatliv").text
        assert "7 dage efter" in page and "Spørg DPO Thisted, dpo@thisted.dk." in page
    with app_client(Settings(data_dir=tmp_path / "b", retention_days=0)) as http:
        page = http.get("/privatliv", headers={"Accept-Language": "en"}).text
        assert "does not delete raw data automatically" in page and "Ask the facilitator" in page
