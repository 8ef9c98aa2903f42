"""The screen checks themselves: they must find what they look for."""

from __future__ import annotations

from tests.browser.screens import glued


def test_glued_attributes_are_found() -> None:
    assert glued("requireddisabled") and glued("checkedrequiredhidden")
    assert not glued("required") and not glued("data-phase") and not glued("aria-label")
    assert not glued("hx-post") and not glued("autocomplete") and not glued("formaction")
