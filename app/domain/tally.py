"""Vote counts per option and the shift between the first vote and the revote."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def option_keys(count: int) -> list[str]:
    """Option letters A, B, C ... for a case with `count` options."""
    return [chr(ord("A") + i) for i in range(count)]


def split(votes: Sequence[str], options: Sequence[str]) -> dict[str, int]:
    """Count per option key, every option present (zero where nobody chose it)."""
    counts = Counter(votes)
    return {key: counts.get(key, 0) for key in options}


@dataclass(frozen=True)
class Shift:
    """How the room moved from round 1 to round 2, counting only people who voted in both."""

    compared: int
    changed: int
    moves: dict[tuple[str, str], int]  # (from, to) -> count, only where from != to


def shift(first: Mapping[int, str], second: Mapping[int, str]) -> Shift:
    """Compare each person's vote before and after; the keys are participant ids."""
    both = first.keys() & second.keys()
    moves: Counter[tuple[str, str]] = Counter(
        (first[p], second[p]) for p in both if first[p] != second[p]
    )
    return Shift(compared=len(both), changed=sum(moves.values()), moves=dict(sorted(moves.items())))


def masked(count: int, threshold: int) -> str:
    """A count as an anonymous summary may show it: small non-zero counts become '<threshold'."""
    if 0 < count < threshold:
        return f"<{threshold}"
    return str(count)
