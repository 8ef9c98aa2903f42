"""The screen checks themselves: they must find what they look for."""

from __future__ import annotations

import pytest

from tests.browser.screens import glued
from tests.utils.html_checker import Unavailable, checker


def test_glued_attributes_are_found() -> None:
    assert glued("requireddisabled") and glued("checkedrequiredhidden")
    assert not glued("required") and not glued("data-phase") and not glued("aria-label")
    assert not glued("data-hx-post") and not glued("autocomplete") and not glued("formaction")


def test_the_html_checker_finds_errors_and_passes_valid_pages() -> None:
    try:
        nu = checker()
    except Unavailable as exc:
        pytest.skip(f"no Nu HTML checker here: {exc}")
    page = '<!DOCTYPE html><html lang="da"><head><title>t</title></head><body>{}</body></html>'
    assert nu.errors(page.format('<form data-hx-post="/x" data-ws-send><p>ok</p></form>')) == []
    found = nu.errors(page.format('<form hx-post="/x" ws-send><p>ok</form></p>'))
    assert any("hx-post" in e for e in found) and any("ws-send" in e for e in found), found
