"""Danish unless the browser prefers English; a person's own pick (the switch) beats the browser."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.routers.conftest import new_session


def test_pages_follow_the_browser_until_the_person_picks(client: TestClient) -> None:
    assert "Skriv koden fra skærmen" in client.get("/").text
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Type the code from the screen" in english.text
    assert '<html lang="en">' in english.text

    picked = client.get("/lang/da?next=/j/ABC123", headers={"Accept-Language": "en"})
    assert picked.status_code == 303 and picked.headers["location"] == "/j/ABC123"
    assert "Skriv koden fra skærmen" in client.get("/", headers={"Accept-Language": "en"}).text
    client.get("/lang/en")
    assert "Type the code from the screen" in client.get("/").text


def test_the_switch_stays_on_this_site_and_ignores_unknown_languages(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        assert client.get(f"/lang/en?next={target}").headers["location"] == "/"
    client.get("/lang/xx")
    assert client.cookies.get("sparring_lang") == "en"


def test_live_pushes_speak_the_phone_language(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    logged_in.get("/lang/en")
    joined = logged_in.post("/join", data={"code": code, "alias": ""})
    assert joined.status_code == 303
    with logged_in.websocket_connect("/ws/p") as socket:
        assert "Wait for the facilitator to start" in socket.receive_text()


def test_refusals_speak_the_language_of_the_person_refused(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    logged_in.post(f"/facilitator/sessions/{code}/start")
    for lang, vote_refused, start_refused, no_such_code in (
        (
            "en",
            "You cannot vote now: the phase is &#39;Presentation&#39;, not &#39;Vote&#39;",
            "can only be started from &#39;Lobby&#39;; it is &#39;Running&#39;",
            "There is no session with the code &#39;NOPE42&#39;",
        ),
        (
            "da",
            "Der kan ikke stemmes nu: fasen er &#39;Præsentation&#39;, ikke &#39;Afstemning&#39;",
            "kan kun startes fra &#39;Lobby&#39;; den er &#39;I gang&#39;",
            "Der findes ingen session med koden &#39;NOPE42&#39;",
        ),
    ):
        logged_in.get(f"/lang/{lang}")
        again = logged_in.post(f"/facilitator/sessions/{code}/start").text
        assert start_refused in again, lang
        wrong = logged_in.post("/join", data={"code": "NOPE42", "alias": ""})
        assert wrong.status_code == 400 and no_such_code in wrong.text, lang
        assert logged_in.post("/join", data={"code": code, "alias": ""}).status_code == 303
        with logged_in.websocket_connect("/ws/p") as socket:
            socket.receive_text()  # the whole page first
            socket.send_json({"action": "vote", "option": "A", "id": f"refused-{lang}"})
            reply = socket.receive_text()
        assert 'id="phone-flash"' in reply and vote_refused in reply, lang
