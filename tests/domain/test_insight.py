"""Disagreement and shift shares: useful numbers that never give back a masked count."""

from __future__ import annotations

import pytest

from app.domain.insight import disagreement, mean, share


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([10, 0, 0], 0.0),  # all agree
        ([5, 5], 0.5),
        ([4, 3, 3], 0.6),
        ([8, 2, 0, 0], 0.2),
        ([0, 0, 0], None),  # nobody voted
        ([2, 1, 0], None),  # the largest count is itself masked
    ],
)
def test_disagreement_is_the_share_outside_the_largest_option(
    counts: list[int], expected: float | None
) -> None:
    assert disagreement(counts, threshold=3) == expected


def test_disagreement_is_the_same_whatever_the_masked_counts_are() -> None:
    # 8 of 10 chose A; whether the other two were one B and one C or two B cannot be read off.
    assert disagreement([8, 1, 1], 3) == disagreement([8, 2, 0], 3)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 10, 0.0), (3, 12, 0.25), (12, 12, 1.0), (2, 12, None), (1, 3, None), (0, 0, None)],
)
def test_share_hides_a_masked_part(part: int, whole: int, expected: float | None) -> None:
    assert share(part, whole, threshold=3) == expected


def test_mean_ignores_unknown_values() -> None:
    assert mean([0.2, None, 0.4]) == 0.3
    assert mean([None, None]) is None
    assert mean([]) is None
