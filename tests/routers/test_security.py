"""Intruders over HTTP: CSRF, security headers and cookies, script in every text field, roles."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.config import Settings
from app.main import create_app
from tests.routers.conftest import PASSWORD, new_session
from tests.utils.clients import arm_csrf

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_state_changing_requests_need_the_pages_token(client: TestClient) -> None:
    token = client.headers.pop("X-CSRF-Token")
    login = {"username": "fac", "password": PASSWORD}
    r = client.post("/facilitator/login", data=login)
    assert r.status_code == 403 and "Genindlæs siden" in r.text
    r = client.post("/facilitator/login", data=login, headers={"X-CSRF-Token": "forfalsket" * 5})
    assert r.status_code == 403
    assert client.post("/join", data={"code": "ABCDEF"}).status_code == 403
    # The plain form's hidden field works as well as htmx's header.
    assert client.post("/facilitator/login", data={**login, "csrf_token": token}).status_code == 303
    page = client.get("/facilitator").text
    assert f'<meta name="csrf-token" content="{token}">' in page
    # Another browser (another cookie) cannot reuse this page's token.
    other = TestClient(client.app, follow_redirects=False)
    other.get("/")
    r = other.post("/join", data={"code": "ABCDEF", "csrf_token": token})
    assert r.status_code == 403


def test_headers_and_cookies(client: TestClient, tmp_path: Path) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    for part in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert part in csp
    assert "unsafe" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["cache-control"] == "no-store"
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']*)'", r.text).group(1))  # type: ignore[union-attr]
    assert config["allowEval"] is False and config["allowScriptTags"] is False
    assert config["historyCacheSize"] == 0 and config["includeIndicatorStyles"] is False
    r = client.post("/join", data={"code": new_session(_login(client))})
    cookies = r.headers.get_list("set-cookie")
    phone = next(c for c in cookies if c.startswith("sparring_p="))
    assert "HttpOnly" in phone and "SameSite=lax" in phone and "Secure" not in phone
    # Behind HTTPS every cookie is Secure and HSTS is on.
    app = create_app(Settings(data_dir=tmp_path / "https", cookie_secure=True))
    with TestClient(app, base_url="https://sparring.test") as https:
        r = https.get("/")
        assert "Secure" in r.headers["set-cookie"] and r.headers["strict-transport-security"]
    # No template marks user text safe (autoescape everywhere); the QR code is our own SVG.
    templates = Path("app/templates")
    marked = [
        f"{p}: {line.strip()}"
        for p in templates.rglob("*.html")
        for line in p.read_text().splitlines()
        if "|safe" in line.replace(" ", "")
    ]
    assert len(marked) == 1 and "qr_svg|safe" in marked[0], marked


def _login(http: TestClient) -> TestClient:
    r = http.post("/facilitator/login", data={"username": "fac", "password": PASSWORD})
    assert r.status_code == 303
    return http


def _phone(app: Any, code: str, alias: str) -> TestClient:
    phone = TestClient(app, follow_redirects=False)
    phone.get("/")
    arm_csrf(phone)
    assert phone.post("/join", data={"code": code, "alias": alias}).status_code == 303
    return phone


def test_script_in_every_text_field_is_shown_as_text_everywhere(logged_in: TestClient) -> None:
    fac = logged_in
    r = fac.post(
        "/facilitator/sessions",
        data={"title": XSS[:190], "group_size": 3, "cases": ["kl-01-spareoevelsen"]},
    )
    code = r.headers["location"].rsplit("/", 1)[-1]
    phones = [_phone(fac.app, code, f"A{n}{XSS[:30]}") for n in range(3)]
    seen: list[str] = []
    base = f"/facilitator/sessions/{code}"
    fac.post(f"{base}/start")
    fac.post(f"{base}/phase", data={"action": "next"})
    # One socket at a time: the test client runs each on an event loop of its own, and a room's
    # feed lives on one loop (a server runs one); sockets open side by side raced at their close.
    for n, phone in enumerate(phones):
        with phone.websocket_connect("/ws/p") as ws:
            seen.append(ws.receive_text())
            vote = {"id": f"xss-vote-{n:04d}", "action": "vote", "option": "A", "reason": XSS}
            ws.send_text(json.dumps(vote))
            seen.append(ws.receive_text())
    fac.post(f"{base}/phase", data={"action": "next"})
    fac.post(f"{base}/phase", data={"action": "next"})
    with phones[0].websocket_connect("/ws/p") as ws:
        seen.append(ws.receive_text())  # the whole view, every reason of the group in it
        ws.send_text(
            json.dumps(
                {
                    "id": "xss-answer-0001",
                    "action": "answer",
                    "option": "A",
                    "text": XSS,
                    "base_version": 0,
                }
            )
        )
        seen.append(ws.receive_text())
    fac.post(f"{base}/phase", data={"action": "next"})
    seen += [phone.get("/p").text for phone in phones]
    seen += [fac.get(base).text, fac.get(f"/projector/{code}").text]
    fac.post(f"{base}/end")
    fac.post(f"{base}/notes", data={"note": XSS})
    seen += [fac.get(f"{base}/summary").text, fac.get("/facilitator").text]
    assert any("&lt;script&gt;" in html for html in seen), "the payload was shown somewhere"
    for html in seen:
        assert "<script>alert" not in html and "<img src=x" not in html
    exported = fac.get(f"{base}/summary.json")
    assert exported.headers["content-type"].startswith("application/json")
    assert exported.headers["x-content-type-options"] == "nosniff"
    markdown = fac.get(f"{base}/summary.md").text
    assert "\\<script>" in markdown
    assert not re.search(r"(?<!\\)<(script|img)", markdown), "raw HTML in the Markdown export"


def test_roles_are_separate(client: TestClient) -> None:
    # A reviewer's password does not open the facilitator's pages.
    r = client.post("/facilitator/login", data={"username": "chef", "password": PASSWORD})
    assert r.status_code == 401
    assert client.get("/facilitator", follow_redirects=False).status_code == 303
    code = new_session(_login(client))
    phone = _phone(client.app, code, "")
    # A phone's cookie is not a facilitator's: control pages, actions, projector and exports refuse it.
    for path in ("/facilitator", f"/facilitator/sessions/{code}", f"/projector/{code}"):
        assert phone.get(path).status_code == 303, path
    assert phone.post(f"/facilitator/sessions/{code}/start").status_code == 303
    assert phone.get(f"/facilitator/sessions/{code}/summary.json").status_code == 303
    with (
        phone.websocket_connect(f"/ws/facilitator/{code}") as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_text()
    assert closed.value.code == 1008
    # The phone's cookie belongs to its own session only: its page and API show nothing else.
    other = new_session(client)
    me = phone.get("/api/me").json()
    assert me["participant"] == 1 and other not in phone.get("/p").text
