"""A control page left open when its login ends elsewhere (logout on another tab, idle) does not go on
showing the room's texts: it reloads and meets the login page, saying why."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.utils.clients import Facilitator
from tests.utils.server import FACILITATOR, LiveServer


@pytest.fixture(scope="module")
def watched_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Open pages check their login every 0.2 s here (every 30 s by default)."""
    live = LiveServer(
        Path(tmp_path_factory.mktemp("login-end")), env={"SPARRING_LOGIN_RECHECK_SECONDS": "0.2"}
    )
    live.add_facilitator()
    live.start()
    yield live
    live.stop()


def test_an_open_control_page_goes_to_the_login_when_its_login_ends(
    watched_server: LiveServer, browser: Any
) -> None:
    facilitator = Facilitator(watched_server.url)
    facilitator.login(*FACILITATOR)
    code = facilitator.create_session("Efter logud", ["kl-01-spareoevelsen"])
    context = browser.new_context(locale="da-DK")
    context.add_cookies(
        [
            {"name": name, "value": value, "url": watched_server.url}
            for name, value in facilitator.http.cookies.items()
        ]
    )
    page = context.new_page()
    # Marks the page once its socket is open (a locator waits for it; no eval under the CSP).
    page.add_init_script(
        "document.addEventListener('htmx:wsOpen', () => {"
        " document.documentElement.dataset.wsOpen = '1'; })"
    )
    page.goto(f"{watched_server.url}/facilitator/sessions/{code}")
    expect(page.locator("html[data-ws-open]")).to_have_count(1)

    r = facilitator.http.post("/facilitator/logout")  # the same login, ended from elsewhere
    assert r.status_code == 303
    expect(page).to_have_url(re.compile(r"/facilitator/login\?.*ended=1"), timeout=10_000)
    expect(page.get_by_text("Dit login er udløbet")).to_be_visible()
    context.close()


def test_a_removed_co_facilitators_open_control_page_closes_onto_the_refusal(
    watched_server: LiveServer, browser: Any
) -> None:
    """Two laptops in one room: the owner shares the session, then stops sharing it. The
    colleague's open control page is closed by the server at once and says why."""
    watched_server.add_user("kollega", "kollegaens-test-kode")
    owner = Facilitator(watched_server.url)
    owner.login(*FACILITATOR)
    code = owner.create_session("To computere", ["kl-01-spareoevelsen"])
    assert (
        owner.http.post(
            f"/facilitator/sessions/{code}/share", data={"username": "kollega"}
        ).status_code
        == 303
    )
    colleague = Facilitator(watched_server.url)
    colleague.login("kollega", "kollegaens-test-kode")
    context = browser.new_context(locale="da-DK")
    context.add_cookies(
        [
            {"name": name, "value": value, "url": watched_server.url}
            for name, value in colleague.http.cookies.items()
        ]
    )
    page = context.new_page()
    page.add_init_script(
        "document.addEventListener('htmx:wsOpen', () => {"
        " document.documentElement.dataset.wsOpen = '1'; })"
    )
    page.goto(f"{watched_server.url}/facilitator/sessions/{code}")
    expect(page.get_by_text("Du er medfacilitator")).to_be_visible()
    expect(page.locator("html[data-ws-open]")).to_have_count(1)

    control = owner.http.get(f"/facilitator/sessions/{code}").text
    found = re.search(r'name="remove" value="(\d+)"', control)
    assert found, "the owner's page lists the colleague"
    r = owner.http.post(f"/facilitator/sessions/{code}/share", data={"remove": found.group(1)})
    assert r.status_code == 303
    expect(page.get_by_role("alert")).to_contain_text("er en anden facilitators", timeout=10_000)
    expect(page.get_by_role("button", name="Start sessionen")).to_have_count(0)
    context.close()
