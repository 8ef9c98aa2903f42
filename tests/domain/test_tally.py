"""Vote counts per option, the shift between rounds, and masking of small counts."""

from __future__ import annotations

import dataclasses

import pytest

from app.domain.tally import Shift, masked, option_keys, shift, split


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, []), (1, ["A"]), (2, ["A", "B"]), (4, ["A", "B", "C", "D"]), (6, list("ABCDEF"))],
)
def test_option_keys(count: int, expected: list[str]) -> None:
    assert option_keys(count) == expected


# --- split ------------------------------------------------------------------------------------


def test_split_counts_every_option_including_zero() -> None:
    assert split(["A", "A", "C"], option_keys(4)) == {"A": 2, "B": 0, "C": 1, "D": 0}


def test_split_keeps_option_order() -> None:
    assert list(split(["C", "B", "A"], ["A", "B", "C"])) == ["A", "B", "C"]
    assert list(split([], ["C", "A", "B"])) == ["C", "A", "B"]


def test_split_without_votes_is_all_zero() -> None:
    assert split([], option_keys(3)) == {"A": 0, "B": 0, "C": 0}


def test_split_without_options_is_empty() -> None:
    assert split(["A"], []) == {}


def test_split_total_matches_votes_on_known_options() -> None:
    votes = ["A", "B", "B", "C", "C", "C", "D"]
    counts = split(votes, option_keys(4))
    assert counts == {"A": 1, "B": 2, "C": 3, "D": 1}
    assert sum(counts.values()) == len(votes)


def test_split_ignores_votes_for_unknown_options() -> None:
    assert split(["A", "Z", "Z"], ["A", "B"]) == {"A": 1, "B": 0}


# --- shift ------------------------------------------------------------------------------------


def test_shift_counts_only_people_who_voted_in_both_rounds() -> None:
    first = {1: "A", 2: "B", 3: "A", 4: "C"}  # 4 did not revote
    second = {1: "A", 2: "A", 3: "B", 5: "B"}  # 5 did not vote the first time
    result = shift(first, second)
    assert result == Shift(compared=3, changed=2, moves={("A", "B"): 1, ("B", "A"): 1})


def test_shift_moves_exclude_unchanged_votes() -> None:
    result = shift({1: "A", 2: "B", 3: "C"}, {1: "A", 2: "B", 3: "C"})
    assert result == Shift(compared=3, changed=0, moves={})


def test_shift_aggregates_and_sorts_moves() -> None:
    first = {1: "C", 2: "A", 3: "A", 4: "B", 5: "A", 6: "D"}
    second = {1: "A", 2: "B", 3: "B", 4: "B", 5: "C", 6: "D"}
    result = shift(first, second)
    assert result.compared == 6
    assert result.changed == 4
    assert result.moves == {("A", "B"): 2, ("A", "C"): 1, ("C", "A"): 1}
    assert list(result.moves) == sorted(result.moves)
    assert all(a != b for a, b in result.moves)
    assert sum(result.moves.values()) == result.changed


def test_shift_without_overlap_compares_nobody() -> None:
    assert shift({1: "A"}, {2: "B"}) == Shift(compared=0, changed=0, moves={})
    assert shift({}, {}) == Shift(compared=0, changed=0, moves={})
    assert shift({1: "A", 2: "B"}, {}) == Shift(compared=0, changed=0, moves={})


def test_shift_is_frozen() -> None:
    result = shift({1: "A"}, {1: "B"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.changed = 0  # type: ignore[misc]


# --- masked -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "threshold", "expected"),
    [
        (0, 3, "0"),
        (1, 3, "<3"),
        (2, 3, "<3"),
        (3, 3, "3"),
        (4, 3, "4"),
        (10, 3, "10"),
        (0, 5, "0"),
        (1, 5, "<5"),
        (4, 5, "<5"),
        (5, 5, "5"),
        (0, 1, "0"),
        (1, 1, "1"),
        (1, 2, "<2"),
        (2, 2, "2"),
    ],
)
def test_masked(count: int, threshold: int, expected: str) -> None:
    assert masked(count, threshold) == expected


@pytest.mark.parametrize("threshold", [1, 2, 3, 5])
def test_masked_for_every_small_count(threshold: int) -> None:
    assert masked(0, threshold) == "0"
    for count in range(1, threshold):
        assert masked(count, threshold) == f"<{threshold}"
    for count in range(threshold, threshold + 20):
        assert masked(count, threshold) == str(count)
