"""The suppression rule against a reader who knows the rule and solves for what is hidden.

A room is a multiset of people, each with a first vote and a revote (or none). Two rooms that
publish the same figures cannot be told apart; a count below the threshold is safe only if the rooms
that publish what this room publishes do not all agree on it. For small rooms every room is
enumerated (an exact solver); for rooms of up to 40, hypothesis draws a room and a search finds, for
every hidden small count, another room with the same publication and a different value.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain import disclosure
from app.domain.disclosure import HIDDEN, figures, masked, row

KEYS = ["A", "B", "C"]
CHOICES: list[str | None] = [None, *KEYS]
STATES = [(b, a) for b in CHOICES for a in CHOICES]

Room = tuple[tuple[str | None, str | None], ...]  # sorted (first vote, revote) per person


def publish(room: Room, t: int, keys: list[str] = KEYS) -> str:
    first = {i: b for i, (b, _) in enumerate(room) if b}
    second = {i: a for i, (_, a) in enumerate(room) if a}
    return masked(len(room), t) + repr(figures(len(room), first, second, keys, t))


def truth(room: Room, keys: list[str] = KEYS) -> dict[str, int]:
    """Every count a reader might want: people, voters, per option and round, moves, changed."""
    first = Counter(b for b, _ in room if b)
    second = Counter(a for _, a in room if a)
    both = [(b, a) for b, a in room if b and a]
    out = {
        "people": len(room),
        "voters_before": sum(first.values()),
        "voters_after": sum(second.values()),
        "compared": len(both),
        "changed": sum(b != a for b, a in both),
    }
    for k in keys:
        out[f"before {k}"], out[f"after {k}"] = first[k], second[k]
    for b, a in itertools.permutations(keys, 2):
        out[f"{b}→{a}"] = sum(1 for pair in both if pair == (b, a))
    return out


def leaks(rooms: Iterable[Room], t: int) -> list[str]:
    """Counts from 1 to t-1 that every room with the same publication agrees on."""
    found: list[str] = []
    groups: dict[str, list[dict[str, int]]] = defaultdict(list)
    for room in rooms:
        groups[publish(room, t)].append(truth(room))
    for published, truths in groups.items():
        for name in truths[0]:
            values = {tr[name] for tr in truths}
            if len(values) == 1 and 0 < (value := values.pop()) < t:
                found.append(f"{name}={value} in {published}")
    return found


def all_rooms(most: int) -> Iterable[Room]:
    for size in range(1, most + 1):
        yield from itertools.combinations_with_replacement(STATES, size)


@pytest.mark.parametrize("t", [3, 4])
def test_no_small_count_can_be_solved_in_any_room_up_to_six(t: int) -> None:
    assert leaks(all_rooms(6), t) == []


def test_two_options_up_to_eight_people() -> None:
    """Two live options is where sums and parity pin most; go further there."""
    states = [(b, a) for b in (None, "A", "B") for a in (None, "A", "B")]
    rooms = (
        r for size in range(1, 9) for r in itertools.combinations_with_replacement(states, size)
    )
    assert leaks(rooms, 3) == []


# --- rooms of 1-40: a witness for every hidden small count -------------------------------------


def neighbours(room: Room) -> Iterable[Room]:
    """Rooms a step away: a person added, removed or changed, two people swapping a vote or
    both changing to the same, or the options of one round relabelled."""
    people = list(room)
    kinds = sorted(set(people), key=repr)
    for state in STATES:
        yield tuple(sorted([*people, state], key=repr))
    for kind in kinds:
        rest = list(people)
        rest.remove(kind)
        if rest:
            yield tuple(sorted(rest, key=repr))
        for state in STATES:
            if state != kind:
                yield tuple(sorted([*rest, state], key=repr))
    for one, two in itertools.combinations(kinds, 2):
        rest = list(people)
        rest.remove(one)
        rest.remove(two)
        for swapped in (
            [(one[0], two[1]), (two[0], one[1])],
            [(two[0], one[1]), (one[0], two[1])],
        ):
            yield tuple(sorted([*rest, *swapped], key=repr))
    for one, two in itertools.combinations_with_replacement(kinds, 2):  # two people, one way
        rest = list(people)
        rest.remove(one)
        if two not in rest:
            continue
        rest.remove(two)
        for state in STATES:
            yield tuple(sorted([*rest, state, state], key=repr))
    for rnd in (0, 1):  # one round's votes redistributed over the options, every way
        voters = [i for i, person in enumerate(people) if person[rnd]]
        for cut in itertools.combinations(range(len(voters) + len(KEYS) - 1), len(KEYS) - 1):
            sizes = [
                b - a - 1 for a, b in itertools.pairwise((-1, *cut, len(voters) + len(KEYS) - 1))
            ]
            votes = [k for k, n in zip(KEYS, sizes, strict=True) for _ in range(n)]
            moved = list(people)
            for i, vote in zip(voters, votes, strict=True):
                moved[i] = (vote, moved[i][1]) if rnd == 0 else (moved[i][0], vote)
            yield tuple(sorted(moved, key=repr))
    for order in itertools.permutations(KEYS):
        relabel = dict(zip(KEYS, order, strict=True))
        yield tuple(sorted(((relabel.get(b or "", b), a) for b, a in people), key=repr))
        yield tuple(sorted(((b, relabel.get(a or "", a)) for b, a in people), key=repr))


def _as_room(draw: list[tuple[str | None, str | None]]) -> Room:
    return tuple(sorted(draw, key=repr))


def rooms(least: int) -> st.SearchStrategy[Room]:
    person = st.tuples(st.sampled_from(CHOICES), st.sampled_from(CHOICES))
    return st.lists(person, min_size=least, max_size=40).map(_as_room)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(room=rooms(7), t=st.sampled_from([3, 4, 5]))  # up to 6: enumerated above
def test_every_hidden_small_count_has_another_room_that_looks_the_same(room: Room, t: int) -> None:
    published, mine = publish(room, t), truth(room)
    hidden = {name for name, value in mine.items() if 0 < value < t}
    for other in neighbours(room):
        if not hidden:
            break
        if publish(other, t) == published:
            theirs = truth(other)
            hidden = {name for name in hidden if theirs[name] == mine[name]}
    assert not hidden, (hidden, published)


@given(room=rooms(1), t=st.sampled_from([3, 4, 5]))
def test_no_count_below_the_threshold_is_printed(room: Room, t: int) -> None:
    published = figures(
        len(room),
        {i: b for i, (b, _) in enumerate(room) if b},
        {i: a for i, (_, a) in enumerate(room) if a},
        KEYS,
        t,
    )
    cells = [published.voters_before, published.voters_after, published.compared]
    cells += published.before + published.after + [published.changed]
    cells += [n for _, _, n in published.moves]
    assert all(c == HIDDEN or c.startswith("<") or c == "0" or int(c) >= t for c in cells)


# --- the rule's parts, directly ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([5, 4, 2, 0], None),  # "11 voters: A 5, B 4, C <3, D 0" gave C = 2
        ([6, 3, 1, 1], None),  # the revote: C and D both 1
        ([5, 4, 1, 2], ["5", "4", "<3", "<3"]),  # 1+2 or 2+1
        ([9, 3, 0], ["9", "3", "0"]),
        ([1, 1, 1], None),  # three voters, one each
        ([2, 1, 0], None),  # no more than t voters
        ([1, 1], None),  # fewer than t voters
    ],
)
def test_row(counts: list[int], expected: list[str] | None) -> None:
    assert row(counts, 3) == expected


def test_a_two_phone_session_shows_no_per_option_figure() -> None:
    shown = figures(2, {1: "B", 2: "A"}, {1: "A", 2: "A"}, KEYS, 3)
    assert shown.before == shown.after == [HIDDEN] * 3
    assert (shown.voters_before, shown.changed, shown.moves, shown.shift) == (
        "<3",
        HIDDEN,
        [],
        None,
    )


def test_moves_only_when_the_printed_rounds_prove_none_is_small() -> None:
    everyone = {i: "A" for i in range(12)}
    shown = figures(12, everyone, dict.fromkeys(everyone, "B"), KEYS, 3)
    assert (shown.compared, shown.changed, shown.moves) == ("12", "12", [("A", "B", "12")])
    assert shown.shift == 1.0
    first = {i: "A" if i < 6 else "B" for i in range(12)}
    second = {i: "B" if i < 3 else ("A" if i < 9 else "B") for i in range(12)}
    shown = figures(12, first, second, KEYS, 3)  # 3 A->B and 3 B->A, but 1 of each was possible
    assert (shown.compared, shown.changed, shown.moves) == (HIDDEN, HIDDEN, [])
    assert (shown.before, shown.after, shown.shift) == (["6", "6", "0"], ["6", "6", "0"], 0.0)
    second.update({0: "A", 1: "A", 2: "A"})  # on balance 3 of 12 moved to A
    assert figures(12, first, second, KEYS, 3).shift == 0.25


def test_marks_and_difficulty() -> None:
    assert disclosure.marks({"a": 4, "b": 0}, True, 3) == {"a": "4", "b": "0"}
    assert disclosure.marks({"a": 4, "b": 1}, True, 3) == {"a": HIDDEN, "b": HIDDEN}
    assert disclosure.marks({"a": 4}, False, 3) == {"a": HIDDEN}
    assert disclosure.difficulty([5, 4, 3], 10, 3) == (4.0, "3")
    assert disclosure.difficulty([5, 4], 10, 3) == (None, "<3")
    assert disclosure.difficulty([5, 4], 2, 3) == (None, HIDDEN)
