"""A facilitator who double-clicks the big "next" button (a laptop's touchpad, a nervous hand)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.utils.clients import Facilitator
from tests.utils.server import LiveServer

pytestmark = pytest.mark.browser


def test_a_double_click_on_next_moves_one_phase(
    server: LiveServer, browser: Any, facilitator: Facilitator
) -> None:
    chromium: Browser = browser
    code = facilitator.create_session("Dobbeltklik", ["kl-01-spareoevelsen"], group_size=3)
    staff = chromium.new_context(viewport={"width": 1366, "height": 900})
    cookies = facilitator.http.cookies
    staff.add_cookies([{"name": k, "value": v, "url": server.url} for k, v in cookies.items()])
    control = staff.new_page()
    control.goto(f"{server.url}/facilitator/sessions/{code}")
    phone = chromium.new_context(locale="en-GB").new_page()
    phone.goto(f"{server.url}/j/{code}")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
    control.get_by_role("button", name="Start the session").click()
    status = control.locator("#ctl-status")
    expect(status).to_have_attribute("data-phase", "present")
    control.get_by_role("button", name="On to: Vote →").dblclick()
    expect(status).to_have_attribute("data-phase", "vote")
    # Whatever reached the server, the room is at the vote, not past it.
    control.reload()
    expect(status).to_have_attribute("data-phase", "vote")
