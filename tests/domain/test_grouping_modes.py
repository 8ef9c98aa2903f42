"""Grouping with intent: spreading areas and votes over balanced groups, and friendly group names."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.grouping import (
    GROUP_NAMES_DA,
    balanced_sizes,
    group_label,
    spread,
)


def _check_spread(labels: dict[int, str], preferred: int, seed: int) -> list[list[int]]:
    groups = spread(labels, preferred, random.Random(seed))
    flat = [m for g in groups for m in g]
    assert sorted(flat) == sorted(labels), "everyone placed exactly once"
    assert sorted((len(g) for g in groups), reverse=True) == balanced_sizes(len(labels), preferred)
    for label in set(labels.values()):
        per_group = [sum(1 for m in g if labels[m] == label) for g in groups]
        assert max(per_group) - min(per_group) <= 1, (label, per_group)
    return groups


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=8),
    preferred=st.sampled_from([3, 4, 5]),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_areas_of_uneven_sizes_are_spread_evenly(
    sizes: list[int], preferred: int, seed: int
) -> None:
    labels: dict[int, str] = {}
    for area, size in enumerate(sizes):
        for _ in range(size):
            labels[len(labels)] = f"område {area}"
    labels = dict(list(labels.items())[:60])
    _check_spread(labels, preferred, seed)


@pytest.mark.parametrize("preferred", [3, 4, 5])
@pytest.mark.parametrize("n", range(1, 61))
def test_every_room_size_keeps_groups_within_3_to_5(n: int, preferred: int) -> None:
    # Votes cycling over four options plus some who did not vote (""), like a real first round.
    labels = {i: "ABCD "[i % 5].strip() for i in range(n)}
    groups = _check_spread(labels, preferred, seed=n)
    if n >= 3:
        assert all(3 <= len(g) <= 5 for g in groups)


@pytest.mark.parametrize("n", range(3, 61))
def test_when_everybody_agrees_the_groups_are_still_balanced(n: int) -> None:
    _check_spread(dict.fromkeys(range(n), "B"), 4, seed=0)


def test_disagreeing_voters_meet_each_other() -> None:
    # 6 A and 6 B in three groups of four: every group gets two of each, none is all-A.
    labels = {i: "A" if i < 6 else "B" for i in range(12)}
    for group in spread(labels, 4, random.Random(3)):
        assert Counter(labels[m] for m in group) == {"A": 2, "B": 2}


def test_a_lone_dissenter_per_group_where_possible() -> None:
    # 10 agree, 2 disagree: the two dissenters land in different groups.
    labels = {i: "A" for i in range(10)} | {10: "C", 11: "D"}
    groups = spread(labels, 4, random.Random(0))
    holders = [i for i, g in enumerate(groups) if {10, 11} & set(g)]
    assert len(holders) == 2


def test_nobody_makes_no_groups() -> None:
    assert spread({}, 4, random.Random(0)) == []


def test_spread_is_reproducible_and_shuffles() -> None:
    labels = {i: "XYZ"[i % 3] for i in range(24)}
    assert spread(labels, 4, random.Random(5)) == spread(labels, 4, random.Random(5))
    assert len({str(spread(labels, 4, random.Random(s))) for s in range(5)}) > 1


def test_group_labels_are_stable_and_unique_for_sixty_people() -> None:
    labels = [group_label(n) for n in range(1, 21)]
    assert labels[0] == "Fanø"
    assert len(set(labels)) == 20
    assert group_label(3) == group_label(3)
    assert group_label(len(GROUP_NAMES_DA) + 1) == "Fanø 2"
    with pytest.raises(ValueError):
        group_label(0)
