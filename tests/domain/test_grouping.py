"""Balanced groups of 3-5: sizes for every head count, shuffling, late joiners and warnings."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from app.domain.grouping import (
    MAX_SIZE,
    MIN_SIZE,
    balanced_sizes,
    group_count,
    partition,
    place_late_joiner,
    regroup_came_late,
    size_warnings,
)

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ModuleNotFoundError:  # pragma: no cover - depends on the environment
    HAVE_HYPOTHESIS = False
else:
    HAVE_HYPOTHESIS = True

PREFERRED = [3, 4, 5]
COUNTS = range(1, 61)


def _valid_counts(n: int) -> list[int]:
    """Every group count whose balanced split keeps all groups within 3-5 (brute force)."""
    out = []
    for count in range(1, n + 1):
        smallest, largest = n // count, -(-n // count)
        if smallest >= MIN_SIZE and largest <= MAX_SIZE:
            out.append(count)
    return out


def _closest_counts(n: int, preferred: int) -> set[int]:
    valid = _valid_counts(n)
    best = min(abs(c - n / preferred) for c in valid)
    return {c for c in valid if abs(c - n / preferred) == best}


# --- balanced_sizes / group_count for every head count ---------------------------------------


@pytest.mark.parametrize("preferred", PREFERRED)
@pytest.mark.parametrize("n", COUNTS)
def test_balanced_sizes_for_every_head_count(n: int, preferred: int) -> None:
    sizes = balanced_sizes(n, preferred)
    assert sum(sizes) == n
    assert max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True), "largest first"
    assert len(sizes) == group_count(n, preferred)
    if n >= MIN_SIZE:
        assert all(MIN_SIZE <= s <= MAX_SIZE for s in sizes), sizes
        assert len(sizes) in _closest_counts(n, preferred), (sizes, n / preferred)
    else:
        assert sizes == [n], "below 3 people everyone is in one (too small) group"


@pytest.mark.parametrize("n", range(6, 61))
def test_there_is_always_a_valid_count_from_six_people(n: int) -> None:
    # Guards the brute force above: from 6 people on there is a choice of counts, and the
    # clamp in group_count only works when the interval of valid counts is not empty.
    assert _valid_counts(n)
    assert _valid_counts(n) == list(range(min(_valid_counts(n)), max(_valid_counts(n)) + 1))


@pytest.mark.parametrize(
    ("n", "preferred", "expected"),
    [
        (1, 4, [1]),
        (2, 3, [2]),
        (3, 5, [3]),
        (5, 3, [5]),
        (6, 5, [3, 3]),
        (7, 3, [4, 3]),
        (9, 3, [3, 3, 3]),
        (12, 4, [4, 4, 4]),
        (12, 5, [4, 4, 4]),
        (13, 4, [5, 4, 4]),
        (20, 5, [5, 5, 5, 5]),
        (21, 5, [5, 4, 4, 4, 4]),
        (30, 3, [3] * 10),
        (60, 5, [5] * 12),
    ],
)
def test_balanced_sizes_examples(n: int, preferred: int, expected: list[int]) -> None:
    assert balanced_sizes(n, preferred) == expected


@pytest.mark.parametrize("preferred", PREFERRED)
def test_nobody_makes_no_groups(preferred: int) -> None:
    assert group_count(0, preferred) == 0
    assert balanced_sizes(0, preferred) == []
    assert partition([], preferred, random.Random(0)) == []


@pytest.mark.parametrize("preferred", [-1, 0, 1, 2, 6, 10])
def test_preferred_size_outside_3_to_5_is_refused(preferred: int) -> None:
    with pytest.raises(ValueError, match="group size must be 3-5"):
        group_count(12, preferred)
    with pytest.raises(ValueError):
        balanced_sizes(12, preferred)


# --- partition --------------------------------------------------------------------------------


@pytest.mark.parametrize("preferred", PREFERRED)
@pytest.mark.parametrize("n", [1, 2, 3, 5, 6, 7, 11, 17, 29, 60])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_partition_keeps_every_member_exactly_once(n: int, preferred: int, seed: int) -> None:
    members = [f"p{i}" for i in range(n)]
    groups = partition(members, preferred, random.Random(seed))
    flat = [m for g in groups for m in g]
    assert sorted(flat) == sorted(members)
    assert len(flat) == len(set(flat))
    assert sorted(len(g) for g in groups) == sorted(balanced_sizes(n, preferred))


def test_partition_is_reproducible_with_the_same_seed() -> None:
    members = list(range(23))
    first = partition(members, 4, random.Random(7))
    second = partition(members, 4, random.Random(7))
    assert first == second


def test_partition_shuffles() -> None:
    members = list(range(30))
    results = {tuple(tuple(g) for g in partition(members, 4, random.Random(s))) for s in range(5)}
    assert len(results) > 1
    assert tuple(tuple(g) for g in partition(members, 4, random.Random(0))) != tuple(
        tuple(members[i : i + 4]) for i in range(0, 30, 4)
    )


def test_partition_leaves_the_input_alone() -> None:
    members = [1, 2, 3, 4, 5, 6, 7]
    partition(members, 3, random.Random(1))
    assert members == [1, 2, 3, 4, 5, 6, 7]


def test_partition_keeps_duplicates_and_any_type() -> None:
    members: list[Any] = ["a", "a", 3, None, ("t",), "a"]
    groups = partition(members, 3, random.Random(3))
    flat = [m for g in groups for m in g]
    assert Counter(map(repr, flat)) == Counter(map(repr, members))


def test_partition_seeded_random_property() -> None:
    # Runs everywhere (hypothesis or not): many random head counts, sizes and seeds.
    meta = random.Random(2024)
    for _ in range(300):
        n = meta.randint(0, 80)
        preferred = meta.choice(PREFERRED)
        members = list(range(n))
        groups = partition(members, preferred, random.Random(meta.random()))
        assert sorted(m for g in groups for m in g) == members
        if n >= MIN_SIZE:
            assert all(MIN_SIZE <= len(g) <= MAX_SIZE for g in groups)


if HAVE_HYPOTHESIS:

    @settings(max_examples=200, deadline=None)
    @given(
        members=st.lists(st.integers(), max_size=80),
        preferred=st.sampled_from(PREFERRED),
        seed=st.integers(),
    )
    def test_partition_property(members: list[int], preferred: int, seed: int) -> None:
        groups = partition(members, preferred, random.Random(seed))
        assert Counter(m for g in groups for m in g) == Counter(members)
        sizes = [len(g) for g in groups]
        assert sizes == balanced_sizes(len(members), preferred)
        if len(members) >= MIN_SIZE:
            assert all(MIN_SIZE <= s <= MAX_SIZE for s in sizes)
        elif members:
            assert len(groups) == 1

else:

    @pytest.mark.skip(reason="hypothesis is not installed in this environment")
    def test_partition_property() -> None:
        pass


# --- place_late_joiner ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ({}, None),
        ({1: 5}, None),
        ({1: 5, 2: 5, 3: 5}, None),
        ({1: 6, 2: 5}, None),
        ({1: 1}, 1),
        ({1: 4}, 1),
        ({1: 5, 2: 4}, 2),
        ({1: 4, 2: 3, 3: 3}, 2),
        ({1: 4, 2: 4, 3: 3}, 3),
        ({3: 3, 2: 3}, 2),
        ({9: 4, 4: 4, 7: 4}, 4),
        ({1: 6, 2: 4}, 2),
        ({10: 2, 2: 3}, 10),
    ],
)
def test_place_late_joiner(sizes: dict[int, int], expected: int | None) -> None:
    assert place_late_joiner(sizes) == expected


@pytest.mark.parametrize("preferred", PREFERRED)
@pytest.mark.parametrize("n", [3, 6, 7, 12, 13, 20])
def test_late_joiners_keep_groups_balanced(n: int, preferred: int) -> None:
    sizes = dict(enumerate(balanced_sizes(n, preferred), start=1))
    for _ in range(40):
        gid = place_late_joiner(sizes)
        if gid is None:
            assert all(s == MAX_SIZE for s in sizes.values())
            sizes[max(sizes) + 1] = 1  # open a new group, as the docstring says
            continue
        assert sizes[gid] < MAX_SIZE
        assert sizes[gid] == min(s for s in sizes.values() if s < MAX_SIZE)
        sizes[gid] += 1
        assert max(sizes.values()) <= MAX_SIZE


# --- size_warnings ----------------------------------------------------------------------------


@pytest.mark.parametrize("preferred", PREFERRED)
@pytest.mark.parametrize("n", range(3, 61))
def test_no_warnings_for_balanced_groups(n: int, preferred: int) -> None:
    sizes = dict(enumerate(balanced_sizes(n, preferred), start=1))
    assert size_warnings(sizes) == []


@pytest.mark.parametrize(
    "sizes", [{1: 3}, {1: 4}, {1: 5}, {1: 3, 2: 5}, {5: 4, 2: 3, 9: 5}, {}], ids=str
)
def test_no_warnings_for_valid_sizes(sizes: dict[int, int]) -> None:
    assert size_warnings(sizes) == []


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ({1: 1}, [("few_people", 0, 1)]),
        ({1: 2}, [("few_people", 0, 2)]),
        # Below 3 people: one warning only, never one per group.
        (
            {1: 1, 2: 1},
            [("few_people", 0, 2)],
        ),
        ({1: 4, 2: 2}, [("too_small", 2, 2)]),
        ({1: 1, 2: 5}, [("too_small", 1, 1)]),
        ({1: 6}, [("too_big", 1, 6)]),
        ({1: 4, 2: 7}, [("too_big", 2, 7)]),
        (
            {1: 2, 2: 6, 3: 4},
            [
                ("too_small", 1, 2),
                ("too_big", 2, 6),
            ],
        ),
        # Groups are numbered 1, 2, ... in id order, not by their database ids.
        (
            {30: 6, 10: 4, 20: 2},
            [
                ("too_small", 2, 2),
                ("too_big", 3, 6),
            ],
        ),
    ],
)
def test_size_warnings(sizes: dict[int, int], expected: list[tuple[str, int, int]]) -> None:
    assert size_warnings(sizes) == expected


@pytest.mark.parametrize("n", [1, 2])
def test_single_small_group_gets_only_the_kun_warning(n: int) -> None:
    (warning,) = size_warnings({1: n})
    assert warning == ("few_people", 0, n)


def test_a_regroup_press_is_late_only_when_every_group_it_showed_is_gone() -> None:
    assert regroup_came_late([7, 8, 9], [10, 11, 12])  # regrouped since: a double click
    assert not regroup_came_late([7, 8, 9], [7, 8, 9])
    assert not regroup_came_late([7, 8, 9], [8, 9, 10])  # a merge, a newcomer's group
    assert not regroup_came_late([], [10, 11])  # an older page or a script: taken as it is
