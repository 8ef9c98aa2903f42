"""The same room in English: phones whose browsers prefer it, a facilitator who picked it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.screens import Screens, new_window
from tests.utils.clients import Facilitator
from tests.utils.server import LiveServer

pytestmark = pytest.mark.browser
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-GB",
}


def test_an_english_room(
    server: LiveServer, browser: Any, facilitator: Facilitator, shots: Path
) -> None:
    chromium: Browser = browser
    screens = Screens(shots)
    code = facilitator.create_session("Leaders' forum", ["kl-01-spareoevelsen"], group_size=3)
    staff = chromium.new_context(viewport={"width": 1366, "height": 900})
    cookies = {**facilitator.http.cookies, "sparring_lang": "en"}
    staff.add_cookies([{"name": k, "value": v, "url": server.url} for k, v in cookies.items()])
    control = staff.new_page()
    projector = new_window(control)
    control.goto(f"{server.url}/facilitator/sessions/{code}")
    projector.goto(f"{server.url}/projector/{code}")
    phones: list[Page] = []
    for _ in range(3):
        phone = chromium.new_context(**PHONE).new_page()
        phone.goto(f"{server.url}/j/{code}")
        phone.get_by_role("button", name="Join").tap()
        expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
        phones.append(phone)

    def look(phase: str) -> None:
        views = (projector, "projector"), (control, "facilitator"), (phones[0], "phone")
        screens.look_all(f"{phase}-english", *views)

    control.get_by_role("button", name="Start the session").click()
    expect(phones[0].locator(".group-badge")).to_contain_text("Group 1")
    # The duty beside the case reads in English, its guidance too (the Danish term beside it).
    phones[0].locator(".duty-fold summary").tap()
    duty = phones[0].locator(".duties")
    expect(duty).to_contain_text("What it means:")
    expect(duty).to_contain_text("Show clearly the political room for manoeuvre within the law")
    expect(duty).not_to_contain_text("Det betyder")
    look("present")
    control.get_by_role("button", name="On to: Vote →").click()
    expect(phones[0].get_by_text("What would you do?")).to_be_visible()
    for phone, option in zip(phones, "AAA", strict=True):
        phone.locator(f"#vote-form label.choice:has(input[value={option}])").tap()
        phone.locator("#vote-duty").select_option("lovlighed")
        phone.locator("#vote-form .vote-send button").tap()
        expect(phone.locator("#vote-form .saved")).to_contain_text(f"({option})")
    expect(projector.locator("#progress")).to_contain_text("3 of 3 present have voted")
    expect(projector.locator("#progress")).to_contain_text(re.compile(r"\b1 group(?!s)"))
    look("vote")
    control.get_by_role("button", name=re.compile("^(Group discussion|Discussion)")).click()
    # As a facilitator does: the next button once the room is there (two clicks in flight at once
    # are two requests, and the one that reaches the server last is where the room ends up).
    expect(control.locator("#ctl-status")).to_have_attribute("data-phase", "discuss")
    control.get_by_role("button", name=re.compile("^The group's answer")).click()
    expect(control.get_by_role("button", name="Show result anyway")).to_be_visible()
    look("group_answer")
    control.on("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="Show result anyway").click()
    expect(projector.locator("#proj-stage")).to_have_attribute("data-phase", "reveal")
    expect(projector.locator("#results")).to_contain_text("How people voted")
    look("reveal")

    # The revote asks how hard it was; the summary shows the heaviest duty and the mean.
    control.get_by_role("button", name="On to: Vote again →").click()
    for phone, hard in zip(phones, "234", strict=True):
        phone.locator("#vote-form label.choice:has(input[value=A])").tap()
        phone.locator(f"#vote-form label.scale-step:has(input[value='{hard}'])").tap()
        phone.locator("#vote-form .vote-send button").tap()
        expect(phone.locator("#vote-form .saved")).to_contain_text("(A)")
    control.get_by_role("button", name="On to: Closed →").click()
    control.get_by_role("button", name="End the session and make the summary").click()
    control.get_by_role("link", name=re.compile("Summary")).click()
    summary = control.locator("#summary")
    expect(summary).to_contain_text("How hard was the dilemma (1-5): mean 3.0 (3 answers).")
    expect(summary.locator(".duty-split")).to_contain_text("Legality")
    expect(summary.locator(".duty-split tbody tr")).to_have_text(re.compile(r"Legality\s*3\s*0"))
    expect(summary).not_to_contain_text("Lovlighed")
    summary.locator(".duty-split").scroll_into_view_if_needed()
    screens.look(control, "facilitator", "summary-english")
    control.get_by_role("link", name="Dansk").click()
    summary = control.locator("#summary")
    expect(summary).to_contain_text("Hvor svært var dilemmaet (1-5): gennemsnit 3,0 (3 svar).")
    expect(summary.locator(".duty-split tbody tr")).to_have_text(re.compile(r"Lovlighed\s*3\s*0"))
    expect(summary).not_to_contain_text("Legality")
    summary.locator(".duty-split").scroll_into_view_if_needed()
    screens.look(control, "facilitator", "summary-danish")
    staff.close()
    assert screens.problems == [], "\n".join(screens.problems)
