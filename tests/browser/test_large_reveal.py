"""A larger room's reveal on a real phone: the split, its own group's answer and the link to every
group's answer, then that page; both looked at (screenshots, axe-core, tap targets, overflow)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.screens import Screens
from tests.browser.test_room import PHONE
from tests.utils.clients import Facilitator, Phone
from tests.utils.server import LiveServer

pytestmark = pytest.mark.browser
PHONES = 40  # 13 groups of three or four: one more than a phone lists in full


def test_a_large_rooms_reveal_on_a_phone_and_the_page_of_every_answer(
    server: LiveServer, facilitator: Facilitator, browser: Any, shots: Path
) -> None:
    # The websocket phones run their own event loop, in a thread beside Playwright's.
    with ThreadPoolExecutor(1) as pool:
        cookies = pool.submit(asyncio.run, _revealed_room(server, facilitator)).result()
    context = browser.new_context(locale="da-DK", **PHONE)
    context.add_cookies([{"name": k, "value": v, "url": server.url} for k, v in cookies.items()])
    phone = context.new_page()
    # Marks the page once its socket's first message (the whole view, which replaces the stage
    # the page was served with) has been swapped in: a scroll before it may hold a detached stage.
    phone.add_init_script(
        "document.addEventListener('htmx:wsAfterMessage', () => {"
        " document.documentElement.dataset.wsSeen = '1'; })"
    )
    screens = Screens(shots)

    phone.goto(f"{server.url}/p")
    expect(phone.locator("html[data-ws-seen]")).to_have_count(1)
    expect(phone.locator("#phone-stage")).to_have_attribute("data-phase", "reveal")
    expect(phone.locator("#own-answer")).to_contain_text("Vi spørger juristerne først")
    expect(phone.locator("#results")).not_to_contain_text("Gruppe 2 skrev")
    phone.locator("#own-answer").scroll_into_view_if_needed()
    screens.look(phone, "phone", "reveal-large-room")

    phone.get_by_role("link", name="Se alle gruppers svar (13)").tap()
    expect(phone).to_have_url(f"{server.url}/p/svar")
    expect(phone.locator(".answer")).to_have_count(13)
    expect(phone.locator("#all-answers")).to_contain_text("Gruppe 2 skrev")
    screens.look(phone, "phone", "all-answers")
    phone.get_by_role("link", name="← Tilbage").first.tap()
    expect(phone.locator("#phone-stage")).to_have_attribute("data-phase", "reveal")
    context.close()
    assert screens.problems == [], "\n".join(screens.problems)


async def _revealed_room(server: LiveServer, fac: Facilitator) -> dict[str, str]:
    """Forty phones in thirteen groups, every group answered, the result shown: the cookies of a
    phone in group 1."""
    code = fac.create_session("Stort chefforum", ["kl-01-spareoevelsen"], 3, results="phones")
    phones = [Phone(server.url) for _ in range(PHONES)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="group_answer") == ""
    groups: dict[str, Phone] = {}
    for phone in phones:
        await phone.until(lambda p, ph=phone: ph.phase() == "group_answer", what="group answer")
        groups.setdefault(phone.group(), phone)
    for number, phone in groups.items():
        words = "Vi spørger juristerne først" if number == "1" else f"Gruppe {number} skrev"
        await phone.answer("C", f"{words}, og så taler vi med lederen igen i morgen.", 0)
        await phone.shows("answer-form", "Gruppens svar er gemt")
    assert fac.act(code, "phase", action="next") == ""  # every group answered: the reveal
    await groups["1"].until(lambda p: groups["1"].phase() == "reveal", what="the reveal")
    cookies = dict(groups["1"].http.cookies.items())
    for phone in phones:
        await phone.aclose()
    return cookies
