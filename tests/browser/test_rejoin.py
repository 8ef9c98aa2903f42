"""One person stays one person in Chromium: phones close tabs and come back by every route, one
joins late, one leaves on purpose, one just goes; the counts match the people really there.

Own server: a phone counts as gone after 9 s unseen (instead of minutes), so going can be watched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.screens import staff_pages
from tests.browser.test_english import PHONE as ENGLISH_PHONE
from tests.conftest import serve
from tests.utils.clients import Facilitator
from tests.utils.server import FACILITATOR, LiveServer

pytestmark = pytest.mark.browser
PHONE = {**ENGLISH_PHONE, "locale": "da-DK"}
GONE = {"SPARRING_PRESENCE_MINUTES": "0.15", "SPARRING_PRESENCE_BEAT_SECONDS": "0.5"}
WAIT = 30_000  # ms: going takes the presence window (9 s) plus a beat


@pytest.fixture(scope="module")
def presence_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve(tmp_path_factory, GONE)


def who(phone: Page) -> tuple[str, str]:
    """(participant, group) as the phone's header shows them."""
    header = phone.locator("#phone-header")
    expect(header).to_contain_text("Gruppe")
    text = header.inner_text()
    number, group = re.search(r"Deltager (\d+)", text), re.search(r"Gruppe (\d+)", text)
    assert number and group, text
    return number.group(1), group.group(1)


def counts(pages: tuple[Page, ...], *texts: str) -> None:
    for page in pages:
        for text in texts:
            expect(page.locator("#progress")).to_contain_text(text, timeout=WAIT)


def test_one_person_stays_one_person(
    presence_server: LiveServer, browser: Any, shots: Path
) -> None:
    server, chromium = presence_server, browser
    assert isinstance(chromium, Browser)
    fac = Facilitator(server.url)
    fac.login(*FACILITATOR)
    code = fac.create_session("Rummet holder", ["kl-01-spareoevelsen"], group_size=3)
    control, projector = staff_pages(chromium, server.url, dict(fac.http.cookies), code)
    screens = (projector, control)

    contexts: list[BrowserContext] = []
    phones: list[Page] = []

    def join(via_start_page: bool = False) -> Page:
        context = chromium.new_context(**PHONE)
        contexts.append(context)
        phone = context.new_page()
        if via_start_page:
            phone.goto(f"{server.url}/")
            phone.get_by_label("Kode").fill(code.lower())
        else:
            phone.goto(f"{server.url}/j/{code}")  # the QR code
        phone.get_by_role("button", name="Deltag").tap()
        expect(phone).to_have_url(re.compile(r"/p$"))
        phones.append(phone)
        return phone

    for _ in range(6):
        join()
    expect(projector.locator(".join-count")).to_contain_text("6 er med")
    control.get_by_role("button", name="Start sessionen").click()
    places = [who(phone) for phone in phones]
    counts(screens, "6 deltagere til stede", "2 grupper")

    # Route 1: the tab is closed and the QR code scanned again.
    phones[0].close()
    phones[0] = contexts[0].new_page()
    phones[0].goto(f"{server.url}/j/{code}")
    expect(phones[0]).to_have_url(re.compile(r"/p$"))
    assert who(phones[0]) == places[0]
    # Route 2: the start page, bare and with the code typed into the address.
    phones[1].close()
    phones[1] = contexts[1].new_page()
    for path in ("/", f"/?code={code.lower()}"):
        phones[1].goto(f"{server.url}{path}")
        expect(phones[1]).to_have_url(re.compile(r"/p$"))
        assert who(phones[1]) == places[1]
    # Route 3: the browser was closed altogether and opened again with its cookies.
    kept = contexts[2].storage_state()
    contexts[2].close()
    contexts[2] = chromium.new_context(storage_state=kept, **PHONE)
    phones[2] = contexts[2].new_page()
    phones[2].goto(f"{server.url}/j/{code}")
    expect(phones[2]).to_have_url(re.compile(r"/p$"))
    assert who(phones[2]) == places[2]
    counts(screens, "6 deltagere til stede")

    # Everyone votes; a late joiner types the code on the start page and votes too.
    control.get_by_role("button", name="Videre til: Afstemning →").click()
    for phone in phones:
        expect(phone.locator("#phone-stage")).to_have_attribute("data-phase", "vote")
        vote(phone, "A")
    late = join(via_start_page=True)
    who(late)
    vote(late, "B")
    counts(screens, "7 deltagere til stede", "7 af 7 til stede har stemt")

    # One leaves on purpose from the phone; the vote stays, the person no longer counts.
    leaver = phones[3]
    leaver.locator(".leave-fold summary").tap()
    leaver.get_by_role("button", name="Forlad sessionen").tap()
    expect(leaver.locator("#join-left")).to_contain_text("Du er ikke længere med")
    leaver.screenshot(path=str(shots / "phone-left.png"))
    counts(screens, "6 deltagere til stede", "7 af 7 til stede har stemt")

    # One just goes (battery dead): after a while it stops counting; the facilitator removes it.
    gone_number = places[4][0]
    contexts[4].close()
    counts(screens, "5 deltagere til stede")
    away = control.locator(".absent")
    expect(away).to_contain_text(f"D{gone_number}", timeout=WAIT)
    control.screenshot(path=str(shots / "facilitator-away.png"))
    control.once("dialog", lambda dialog: dialog.accept())
    away.get_by_role("button", name=f"Fjern D{gone_number}").click()
    expect(control.locator(".absent")).to_have_count(0)

    # The leaver changes their mind: the same participant, same vote, back in a group.
    leaver.get_by_role("button", name="Deltag igen").tap()
    expect(leaver).to_have_url(re.compile(r"/p$"))
    assert who(leaver)[0] == places[3][0]
    expect(leaver.locator("#vote-form")).to_contain_text("Din stemme (A) er gemt")
    counts(screens, "6 deltagere til stede", "7 af 7 til stede har stemt")

    # The end: seven people took part, each counted once.
    control.once("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="Afslut session").click()
    expect(projector.get_by_role("heading", name="Tak for i dag")).to_be_visible()
    summary = json.loads(fac.http.get(f"/facilitator/sessions/{code}/summary.json").text)
    assert summary["participants"] == "7"
    assert summary["cases"][0]["voters_before"] == "7"
    for context in (control.context, *contexts[:4], *contexts[5:]):
        context.close()


def vote(phone: Page, option: str) -> None:
    phone.locator(f"#vote-form label.choice:has(input[value={option}])").tap()
    phone.locator("#vote-form .vote-send button").tap()
    expect(phone.locator("#vote-form .saved")).to_contain_text(f"Din stemme ({option}) er gemt")
