"""The abuse list hides obvious abuse and leaves ordinary Danish alone."""

from __future__ import annotations

import pytest

from app.domain.moderation import looks_abusive


@pytest.mark.parametrize(
    "text",
    ["Chefen er en IDIOT", "hold  kæft med det", "Fuck det her.", "sikke en kælling!"],
)
def test_obvious_abuse_is_caught(text: str) -> None:
    assert looks_abusive(text)


@pytest.mark.parametrize(
    "text",
    [
        "Vi går til næste ledelsesniveau og følger op på skrift.",
        "Det er et narrativ om svineri med tallene.",
        "Hold fast i sandhedspligten.",
        "",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert not looks_abusive(text)
