"""The organisation's login as settings decide it, without a provider: off by default, local
passwords can be turned off, an unreachable provider and a callback nobody started are refused
clearly. (The real flow, against a real provider in Chromium: tests/browser/test_sso.py.)"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from deploy.ports import free_port
from tests.routers.conftest import PASSWORD, app_client


def test_without_settings_there_is_no_organisation_login(client: TestClient) -> None:
    page = client.get("/facilitator/login").text
    assert "organisationens konto" not in page and 'name="password"' in page
    assert client.get("/sso/login").status_code == 404
    assert client.get("/sso/callback?code=x&state=y").status_code == 404


def test_local_passwords_can_be_turned_off(tmp_path: Path) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    settings = Settings(
        data_dir=tmp_path,
        oidc_issuer=unreachable,
        oidc_client_id="sparring",
        local_passwords=False,
    )
    with app_client(settings) as http:
        for login in ("/facilitator/login", "/review/login", "/admin/login"):
            page = http.get(login).text
            assert "Log ind med organisationens konto" in page and 'name="password"' not in page
        r = http.post("/facilitator/login", data={"username": "fac", "password": PASSWORD})
        assert r.status_code == 403 and "lokale adgangskoder er slået fra" in r.text
        assert "sparring_f" not in r.cookies
        r = http.get("/sso/login?role=facilitator")
        assert r.status_code == 502 and "svarer ikke" in r.text
        # A callback that no login of this browser started (a forged or replayed link): refused.
        r = http.get("/sso/callback?code=stjaalet&state=gaettet")
        assert r.status_code == 401 and "Login afvist" in r.text
        assert http.get("/facilitator").status_code == 303
