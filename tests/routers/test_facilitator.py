"""Facilitator pages over HTTP: login, the library, creating sessions, refusals with reasons."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.routers.conftest import PASSWORD, joined_phone, new_session


def test_pages_need_a_facilitator_login(client: TestClient) -> None:
    for path in ("/facilitator", "/facilitator/sessions/ABCDEF", "/projector/ABCDEF"):
        r = client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/facilitator/login")
    assert client.post("/facilitator/sessions/ABCDEF/start").status_code == 303


def test_login_refuses_wrong_password_and_reviewers(client: TestClient) -> None:
    r = client.post("/facilitator/login", data={"username": "fac", "password": "forkert"})
    assert r.status_code == 401 and "Forkert brugernavn eller adgangskode" in r.text
    r = client.post("/facilitator/login", data={"username": "chef", "password": PASSWORD})
    assert r.status_code == 401, "a reviewer cannot drive sessions"


def test_login_never_redirects_off_site(client: TestClient) -> None:
    data = {"username": "fac", "password": PASSWORD, "next": "//evil.example/x"}
    r = client.post("/facilitator/login", data=data)
    assert r.headers["location"] == "/facilitator"


def test_dashboard_offers_every_library_case_by_duty(logged_in: TestClient) -> None:
    page = logged_in.get("/facilitator").text
    assert page.count('name="cases"') == 35  # 29 KL, 3 BUU, 3 Albertslund
    for duty in (
        "Lovlighed",
        "Sandhed",
        "Faglighed",
        "Åbenhed om fejl",
        "Partipolitisk neutralitet",
    ):
        assert duty in page
    assert "Spareøvelsen på skoleområdet" in page


def test_creating_a_session_validates_every_field(logged_in: TestClient) -> None:
    cases = ["kl-01-spareoevelsen"]
    bad = [
        ({"title": "", "group_size": 4, "cases": cases}, "Giv sessionen en titel"),
        ({"title": "x" * 201, "group_size": 4, "cases": cases}, "højst være 200 tegn"),
        ({"title": "T", "group_size": 4}, "Vælg mindst én case"),
        (
            {"title": "T", "group_size": 9, "cases": cases},
            "Gruppestørrelsen skal være 3, 4 eller 5",
        ),
        ({"title": "T", "group_size": 4, "cases": ["findes-ikke"]}, "Ukendt case: findes-ikke"),
        ({"title": "T", "group_size": "fire", "cases": cases}, "Ugyldige eller manglende felter"),
    ]
    for data, message in bad:
        r = logged_in.post("/facilitator/sessions", data=data)
        assert r.status_code == 400 and message in r.text, (data, r.status_code, r.text[-300:])
    code = new_session(logged_in, ["kl-02-den-inhabile-udvalgsformand", "kl-01-spareoevelsen"])
    page = logged_in.get(f"/facilitator/sessions/{code}").text
    assert "Start sessionen" in page and code in page


def test_control_actions_refuse_with_reasons(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    assert (
        "Sessionen kører ikke"
        in logged_in.post(f"/facilitator/sessions/{code}/phase", data={"action": "next"}).text
    )
    assert logged_in.post(f"/facilitator/sessions/{code}/start").text.count("flash-error") == 0
    again = logged_in.post(f"/facilitator/sessions/{code}/start").text
    assert "kun startes fra &#39;Lobby&#39;" in again
    bogus = logged_in.post(f"/facilitator/sessions/{code}/phase", data={"action": "explode"}).text
    assert "Ukendt handling" in bogus
    timer = logged_in.post(f"/facilitator/sessions/{code}/timer", data={"seconds": "abc"}).text
    assert "hele sekunder" in timer
    too_long = logged_in.post(f"/facilitator/sessions/{code}/timer", data={"seconds": "99999"}).text
    assert "mellem 1 sekund og 60 minutter" in too_long
    assert "ikke flere cases" in logged_in.post(f"/facilitator/sessions/{code}/next-case").text


def test_next_pressed_twice_from_one_page_moves_the_room_once(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    logged_in.post(f"/facilitator/sessions/{code}/start")
    status = re.compile(r'id="ctl-status" class="ctl-status" data-phase="(\w+)"')

    def phase() -> str:
        found = status.search(logged_in.get(f"/facilitator/sessions/{code}").text)
        assert found is not None
        return found.group(1)

    shown = phase()
    press = {"action": "next", "seen": shown}
    after: list[str] = []
    for _ in range(2):  # a double click: both presses come from the page that showed `shown`
        r = logged_in.post(f"/facilitator/sessions/{code}/phase", data=press)
        assert r.status_code == 200 and "flash-error" not in r.text, r.text
        after.append(phase())
    moved = after[0]
    assert moved != shown and after[1] == moved  # one phase on, not two
    # Pressed again from the page as it is now, the room moves on one more.
    logged_in.post(f"/facilitator/sessions/{code}/phase", data={"action": "next", "seen": moved})
    assert phase() not in (shown, moved)
    r = logged_in.get(f"/facilitator/sessions/{code}/summary.json")
    assert r.status_code == 409 and "når sessionen er afsluttet" in r.text


def test_unknown_session_code_gets_a_danish_page(logged_in: TestClient) -> None:
    r = logged_in.get("/facilitator/sessions/NOPE99")
    assert r.status_code == 404 and "Der findes ingen session med koden" in r.text


def test_ended_session_offers_downloads(logged_in: TestClient) -> None:
    code = new_session(logged_in)
    logged_in.post(f"/facilitator/sessions/{code}/start")
    logged_in.post(f"/facilitator/sessions/{code}/end")
    page = logged_in.get(f"/facilitator/sessions/{code}").text
    assert "summary.md" in page and "summary.json" in page
    r = logged_in.get(f"/facilitator/sessions/{code}/summary.md")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert "attachment" in r.headers["content-disposition"]
    assert logged_in.get(f"/facilitator/sessions/{code}/summary.pdfx").status_code == 404
    assert "allerede afsluttet" in logged_in.post(f"/facilitator/sessions/{code}/end").text


def test_next_case_pressed_twice_from_one_page_opens_one_case(logged_in: TestClient) -> None:
    slugs = [
        "kl-01-spareoevelsen",
        "kl-02-den-inhabile-udvalgsformand",
        "kl-03-stoette-til-nyopstartet-virksomhed",
    ]
    code = new_session(logged_in, slugs)
    base = f"/facilitator/sessions/{code}"
    logged_in.post(f"{base}/start")
    logged_in.post(f"{base}/phase", data={"action": "closed"})
    assert "Case 1 af 3" in logged_in.get(base).text
    for _ in range(2):  # a double click on "Næste case": both from the page of case 1
        r = logged_in.post(f"{base}/next-case", data={"mode": "keep", "seen": "0"})
        assert r.status_code == 200 and "flash-error" not in r.text, r.text
    assert "Case 2 af 3" in logged_in.get(base).text  # not case 3


def join(facilitator: TestClient, code: str, n: int) -> TestClient:
    """Phone n, on an address of its own, joined to the session."""
    return joined_phone(facilitator, code, f"10.0.1.{n}")


def groups_shown(facilitator: TestClient, code: str) -> str:
    """The group ids the control page's "Dan grupper" form sends."""
    found = re.search(
        r'name="seen" value="([\d,]+)"', facilitator.get(f"/facilitator/sessions/{code}").text
    )
    assert found is not None
    return found.group(1)


def test_dan_grupper_pressed_twice_from_one_page_forms_groups_once(logged_in: TestClient) -> None:
    code = new_session(logged_in, group_size=3)
    base = f"/facilitator/sessions/{code}"
    for n in range(9):
        join(logged_in, code, n)
    logged_in.post(f"{base}/start")

    def shown() -> str:
        return groups_shown(logged_in, code)

    first = shown()
    assert len(first.split(",")) == 3
    after: list[str] = []
    for _ in range(2):  # a double click: both presses from the page that showed `first`
        r = logged_in.post(f"{base}/regroup", data={"mode": "random", "seen": first})
        assert r.status_code == 200 and "flash-error" not in r.text, r.text
        after.append(shown())
    assert after[0] != first and after[1] == after[0]  # new groups once, not twice
    # From the page as it is now, or from a script that names no groups, it regroups again.
    logged_in.post(f"{base}/regroup", data={"mode": "random", "seen": after[0]})
    again = shown()
    assert again not in (first, after[0])
    logged_in.post(f"{base}/regroup", data={"mode": "random"})
    assert shown() != again
    # What the page sends is only ever read as group ids: anything else is no group shown.
    for junk in ("²,x", "9" * 5000, ",,", "-1"):
        r = logged_in.post(f"{base}/regroup", data={"mode": "random", "seen": junk})
        assert r.status_code == 200 and "flash-error" not in r.text, r.text


def test_dan_grupper_from_a_page_a_room_in_use_has_moved_on_still_forms_groups(
    logged_in: TestClient,
) -> None:
    """Between the page's render and the press a room goes on: a newcomer is placed, the
    facilitator moves someone, a phone comes back by the QR link. None of that replaces the groups
    the page showed, so the press forms new groups."""
    code = new_session(logged_in, group_size=5)
    base = f"/facilitator/sessions/{code}"
    phones = [join(logged_in, code, n) for n in range(5)]
    logged_in.post(f"{base}/start")
    shown = groups_shown(logged_in, code)
    assert len(shown.split(",")) == 1  # one full group of five
    join(logged_in, code, 5)  # a newcomer: no room in it, so a group of its own
    assert len(groups_shown(logged_in, code).split(",")) == 2
    r = logged_in.post(f"{base}/move", data={"participant": "1", "group": "2"})
    assert "flash-error" not in r.text, r.text
    assert phones[4].get(f"/j/{code}").status_code in (200, 303)  # back by the QR link
    moved_on = groups_shown(logged_in, code)
    r = logged_in.post(f"{base}/regroup", data={"mode": "random", "seen": shown})
    assert r.status_code == 200 and "flash-error" not in r.text, r.text
    assert not set(groups_shown(logged_in, code).split(",")) & set(moved_on.split(","))


def test_start_pressed_twice_from_the_lobby_starts_once_and_shows_no_refusal(
    logged_in: TestClient,
) -> None:
    code = new_session(logged_in)
    base = f"/facilitator/sessions/{code}"
    assert '"seen": "lobby"' in logged_in.get(base).text  # what the start button sends
    for _ in range(2):  # a double click on "Start sessionen"
        r = logged_in.post(f"{base}/start", data={"seen": "lobby"})
        assert r.status_code == 200 and "flash-error" not in r.text, r.text
    assert 'data-phase="present"' in logged_in.get(base).text
    # A start from a page that names nothing is refused as before, and says why.
    assert "kun startes fra" in logged_in.post(f"{base}/start").text
