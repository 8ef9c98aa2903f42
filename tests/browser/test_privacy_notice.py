"""The join page links the notice on what is kept (the information duty), readable on a phone."""

from __future__ import annotations

from pathlib import Path

from tests.utils.server import LiveServer


def test_the_join_page_links_a_notice_in_danish_and_english(
    server: LiveServer, browser: object, shots: Path
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="da-DK")  # type: ignore[attr-defined]
    try:
        page.goto(f"{server.url}/")
        page.click("#privacy-link")
        page.wait_for_selector("#privacy")
        text = page.inner_text("#privacy")
        for needle in ("Hvad gemmes", "Hvem ser det", "30 dage", "anonym", "færre end 3", "Spørg"):
            assert needle in text, needle
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(shots / "privacy-da.png"), full_page=True)
        page.click(".lang-switch")
        page.wait_for_selector("text=What is kept when you take part")
        text = page.inner_text("#privacy")
        assert "30 days after the session has ended" in text and "Whom to ask" in text
        page.screenshot(path=str(shots / "privacy-en.png"), full_page=True)
    finally:
        page.close()
