"""A session in real browsers: the facilitator clicks, three phones tap, the projector shows it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.utils.server import FACILITATOR, LiveServer

pytestmark = pytest.mark.browser
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


def snap(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"))


def test_a_case_through_every_phase_in_chromium(
    server: LiveServer, browser: Any, shots: Path
) -> None:
    chromium: Browser = browser
    staff = chromium.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    control = staff.new_page()
    control.goto(f"{server.url}/facilitator")
    expect(control.get_by_role("heading", name="Log ind som facilitator")).to_be_visible()
    snap(control, shots, "facilitator-login")
    control.get_by_label("Brugernavn").fill(FACILITATOR[0])
    control.get_by_label("Adgangskode").fill(FACILITATOR[1])
    control.get_by_role("button", name="Log ind").click()

    control.get_by_label("Titel").fill("Chefforum, december")
    control.get_by_label(re.compile("Spareøvelsen på skoleområdet")).check()
    control.get_by_role("button", name="Opret session").click()
    expect(control.get_by_role("button", name="Start sessionen")).to_be_visible()
    code = control.locator(".control-head .code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)

    projector = staff.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(f"{server.url}/projector/{code}")
    expect(projector.locator(".join-code")).to_have_text(code)
    expect(projector.locator(".qr svg")).to_be_visible()

    phones: list[Page] = []
    for alias in ("Anna", "Bo", "Carl"):
        context = chromium.new_context(**PHONE)
        phone = context.new_page()
        phone.goto(f"{server.url}/")
        phone.get_by_label("Kode").fill(code.lower())
        phone.get_by_label(re.compile("Kaldenavn")).fill(alias)
        phone.get_by_role("button", name="Deltag").tap()
        expect(phone.get_by_role("heading", name="Du er med!")).to_be_visible()
        phones.append(phone)
    expect(projector.locator(".join-count")).to_contain_text("3 er med")
    snap(projector, shots, "projector-lobby")
    snap(phones[0], shots, "phone-lobby")

    control.get_by_role("button", name="Start sessionen").click()
    for phone in phones:
        expect(phone.locator(".group-badge")).to_have_text("Gruppe 1")
    expect(projector.locator("#proj-stage h2")).to_have_text("Spareøvelsen på skoleområdet")
    snap(projector, shots, "projector-present")
    snap(phones[0], shots, "phone-present")

    control.get_by_role("button", name="Næste fase →").click()
    control.get_by_role("button", name="2 min").click()
    expect(projector.locator("#timer")).to_contain_text(re.compile(r"[12]:\d\d"))
    for phone, option in zip(phones, "ABA", strict=True):
        phone.locator(f"label.choice:has(input[value={option}])").tap()
        phone.get_by_label(re.compile("Din begrundelse")).fill(f"Sådan ser {option} ud for mig")
        phone.get_by_role("button", name="Stem").tap()
        expect(phone.locator(".saved")).to_contain_text(f"Din stemme ({option}) er gemt")
    expect(projector.locator("#progress")).to_contain_text("3 af 3 har stemt")
    snap(projector, shots, "projector-vote")
    snap(phones[0], shots, "phone-vote")
    snap(control, shots, "facilitator-vote")

    control.get_by_role("button", name="Næste fase →").click()
    expect(phones[1].locator("#group-posts")).to_contain_text("Sådan ser A ud for mig")
    snap(phones[1], shots, "phone-discuss")
    snap(projector, shots, "projector-discuss")

    control.get_by_role("button", name="Næste fase →").click()
    writer, reader = phones[0], phones[2]
    writer.locator("#answer-form label.choice:has(input[value=B])").tap()
    writer.get_by_label("Gruppens begrundelse").fill("Vi går til næste ledelsesniveau, åbent.")
    writer.get_by_role("button", name="Gem gruppens svar").tap()
    expect(writer.locator("#answer-form .saved")).to_contain_text("version 1")
    expect(reader.locator("#group-answer-current")).to_contain_text("næste ledelsesniveau")
    expect(reader.get_by_label("Gruppens begrundelse")).to_have_value(
        "Vi går til næste ledelsesniveau, åbent."
    )
    # Someone typing is not overwritten by a save from the group; their own save is then refused
    # for merging, with their words kept.
    editor = phones[1]
    editor.get_by_label("Gruppens begrundelse").fill("Mit eget udkast")
    writer.get_by_label("Gruppens begrundelse").fill("Version to fra skriveren.")
    writer.get_by_role("button", name="Gem gruppens svar").tap()
    expect(editor.locator("#group-answer-current")).to_contain_text("Version to fra skriveren.")
    expect(editor.get_by_label("Gruppens begrundelse")).to_have_value("Mit eget udkast")
    editor.get_by_role("button", name="Gem gruppens svar").tap()
    expect(editor.locator("#answer-form")).to_contain_text(
        "En anden i gruppen har gemt en nyere version"
    )
    expect(editor.get_by_label("Gruppens begrundelse")).to_have_value("Mit eget udkast")
    editor.get_by_label("Gruppens begrundelse").fill(
        "Version to fra skriveren. Vi går til næste ledelsesniveau, åbent."
    )
    editor.get_by_role("button", name="Gem gruppens svar").tap()
    expect(writer.locator("#group-answer-current")).to_contain_text("version 3")
    expect(projector.locator("#progress")).to_contain_text("1 af 1 grupper har svaret")
    snap(reader, shots, "phone-group-answer")

    control.get_by_role("button", name="Næste fase →").click()
    expect(projector.locator("#results")).to_contain_text("Vi går til næste ledelsesniveau")
    expect(projector.locator("#results")).to_contain_text("2 (67 %)")
    snap(projector, shots, "projector-reveal")
    snap(phones[0], shots, "phone-reveal")
    snap(control, shots, "facilitator-reveal")

    control.get_by_role("button", name="Næste fase →").click()
    for phone in phones:
        expect(phone.get_by_text("Stem igen efter drøftelsen")).to_be_visible()
        phone.locator("label.choice:has(input[value=B])").tap()
        phone.get_by_role("button", name="Stem").tap()
        expect(phone.locator(".saved")).to_contain_text("Din stemme (B) er gemt")
    control.get_by_role("button", name="Næste fase →").click()
    expect(projector.locator(".shift")).to_contain_text("2 af 3 skiftede holdning")
    snap(projector, shots, "projector-closed")

    control.on("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="Afslut session").click()
    expect(phones[0].get_by_role("heading", name="Tak for i dag")).to_be_visible()
    with control.expect_download() as download:
        control.get_by_role("link", name="Markdown").click()
    summary = Path(download.value.path()).read_text("utf-8")
    assert (
        "Spareøvelsen på skoleområdet" in summary and "Vi går til næste ledelsesniveau" in summary
    )
    for alias in ("Anna", "Bo", "Carl"):
        assert alias not in summary
    snap(control, shots, "facilitator-ended")
    snap(phones[0], shots, "phone-ended")
