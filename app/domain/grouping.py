"""Balanced groups of 3-5: first grouping, late joiners, reshuffles and size warnings."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum
from typing import NamedTuple, TypeVar

MIN_SIZE = 3
MAX_SIZE = 5

T = TypeVar("T")


def group_count(n: int, preferred: int) -> int:
    """How many groups n people make so every group has 3-5 members, nearest the preferred size.

    Below 3 people there is one (too small) group; the facilitator is warned.
    """
    if not MIN_SIZE <= preferred <= MAX_SIZE:
        raise ValueError(f"group size must be {MIN_SIZE}-{MAX_SIZE}, got {preferred}")
    if n <= MAX_SIZE:
        return 1 if n > 0 else 0
    fewest = -(-n // MAX_SIZE)  # ceil: no group above 5
    most = n // MIN_SIZE  # floor: no group below 3
    wanted = int(n / preferred + 0.5)  # halves round up: smaller groups talk more
    return min(max(wanted, fewest), most)


def balanced_sizes(n: int, preferred: int) -> list[int]:
    """Group sizes that differ by at most one, largest first."""
    count = group_count(n, preferred)
    if count == 0:
        return []
    base, extra = divmod(n, count)
    return [base + 1 if i < extra else base for i in range(count)]


def partition(members: Sequence[T], preferred: int, rng: random.Random) -> list[list[T]]:
    """Shuffle members into balanced groups."""
    shuffled = list(members)
    rng.shuffle(shuffled)
    groups: list[list[T]] = []
    start = 0
    for size in balanced_sizes(len(shuffled), preferred):
        groups.append(shuffled[start : start + size])
        start += size
    return groups


def place_late_joiner(sizes: Mapping[int, int]) -> int | None:
    """The group a late joiner goes to: the smallest one with room (lowest id on ties).

    None means "open a new group": there are no groups yet, or every group is full. The new
    group is the smallest, so the next joiners fill it; until it has 3 the facilitator is warned.
    """
    open_groups = [gid for gid, size in sizes.items() if size < MAX_SIZE]
    if not open_groups:
        return None
    return min(open_groups, key=lambda gid: (sizes[gid], gid))


class SizeWarning(NamedTuple):
    """A group outside 3-5 for the facilitator's panel (the words: catalogue `warning.<kind>`)."""

    kind: str  # "few_people" (group 0: everybody), "too_small" or "too_big"
    group: int
    size: int


def size_warnings(sizes: Mapping[int, int]) -> list[SizeWarning]:
    """The groups outside 3-5, numbered 1, 2, ... in id order."""
    total = sum(sizes.values())
    if 0 < total < MIN_SIZE:
        return [SizeWarning("few_people", 0, total)]
    out = []
    for number, (_, size) in enumerate(sorted(sizes.items()), start=1):
        if size < MIN_SIZE and total >= MIN_SIZE:
            out.append(SizeWarning("too_small", number, size))
        elif size > MAX_SIZE:
            out.append(SizeWarning("too_big", number, size))
    return out


class Mode(StrEnum):
    """How the facilitator forms groups for a case."""

    KEEP = "keep"
    RANDOM = "random"
    MIX_AREAS = "mix_areas"
    DISAGREE = "disagree"


def spread(labels: Mapping[T, str], preferred: int, rng: random.Random) -> list[list[T]]:
    """Balanced groups where every label (an area, a vote) is spread as evenly as possible.

    People are lined up label by label (largest label first) and dealt round the groups like
    cards, so each label's count differs by at most one between groups, and the group sizes are
    exactly those of `balanced_sizes`.
    """
    by_label: dict[str, list[T]] = {}
    for member, label in labels.items():
        by_label.setdefault(label, []).append(member)
    runs = list(by_label.values())
    rng.shuffle(runs)  # ties between equally large labels fall differently each time
    runs.sort(key=len, reverse=True)
    line: list[T] = []
    for run in runs:
        rng.shuffle(run)
        line.extend(run)
    count = len(balanced_sizes(len(line), preferred))
    return [line[i::count] for i in range(count)]


GROUP_NAMES_DA = (
    "Fanø",
    "Læsø",
    "Samsø",
    "Ærø",
    "Møn",
    "Mors",
    "Fur",
    "Als",
    "Anholt",
    "Bornholm",
    "Endelave",
    "Falster",
    "Langeland",
    "Lolland",
    "Orø",
    "Omø",
    "Sejerø",
    "Tunø",
    "Venø",
    "Livø",
)


def group_label(number: int) -> str:
    """A group's friendly name (a Danish island), stable for its number within a session."""
    if number < 1:
        raise ValueError(f"group numbers start at 1, got {number}")
    name = GROUP_NAMES_DA[(number - 1) % len(GROUP_NAMES_DA)]
    lap = (number - 1) // len(GROUP_NAMES_DA)
    return f"{name} {lap + 1}" if lap else name


def regroup_came_late(seen: Collection[int], active: Collection[int]) -> bool:
    """A "Dan grupper" press from a page that showed groups `seen`, none of which is active now: a
    regrouping since (a double click, or two facilitators at once) replaced them all, and forming
    new groups again would reshuffle people reading their group off their phones. A merge or a
    newcomer's group leaves most shown groups active; a press that names none (an older page, a
    script) is taken as it is."""
    return bool(seen) and not set(seen) & set(active)
