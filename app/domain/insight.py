"""What a summary says about a split: disagreement, shift share, and averages, without leaking masked counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def disagreement(counts: Sequence[int], threshold: int) -> float | None:
    """Share of voters who did not pick the largest option (0 = all agree).

    Only the largest count and the total enter, and both are shown unmasked, so no count
    below the threshold can be worked back from it. None when the largest count is itself masked.
    """
    total = sum(counts)
    largest = max(counts, default=0)
    if total == 0 or largest < threshold:
        return None
    return round(1 - largest / total, 2)


def share(part: int, whole: int, threshold: int) -> float | None:
    """part / whole, or None when the part is a masked count (a ratio would give it back)."""
    if whole == 0 or 0 < part < threshold:
        return None
    return round(part / whole, 2)


def mean(values: Iterable[float | None]) -> float | None:
    """The average of the known values (None when none is known)."""
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 2) if known else None
