"""Which counts an anonymous summary may publish: small cells masked, and nothing that works them back.

The rule (docs/ANONYMITY.md) with threshold t (>= 3):

- A count from 1 to t-1 is never printed; it reads "<t". A figure withheld reads "x".
- A session with fewer than t people publishes no per-option figures at all.
- One round (first vote, revote): with fewer than t voters, or when the small counts could be
  worked out from the total and the other cells, the round's per-option figures are withheld
  (all "x"). They can be worked out when there is one small cell, or when the small cells are all
  1 or all t-1, or when the round has no more than t voters. Otherwise the small cells read "<t".
- The shift is the net shift: how far the revote's shares are from the first vote's (half the
  summed differences), computed from the two printed rounds alone, so it tells nothing they do not.
  It is given when both rounds are printed without a mask.
- Who changed their vote (how many voted twice, how many changed, from which option to which) is
  printed only when the printed figures alone prove each of these counts is 0 or at least t: a
  cell of a table with known margins can take exactly the values of its Fréchet interval
  [row + column - people, min(row, column)]. Otherwise it is withheld ("x").
- The people's duty marks follow the first round and are printed only when none is small.

Every decision depends only on what is then published (how many cells are small and their sum,
both derivable from the printed total and cells), so knowing the rule tells a reader nothing more.
tests/domain/test_disclosure.py checks it by enumerating every possible room.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from app.domain import insight, tally

HIDDEN = "x"  # a figure withheld so that a small count cannot be worked back from the rest


def masked(count: int, threshold: int) -> str:
    """One count on its own: small non-zero counts read '<threshold'."""
    return tally.masked(count, threshold)


def shown(cell: str) -> bool:
    """Whether a published cell is an exact number (not '<t', not 'x')."""
    return cell.isdigit()


def row(counts: Sequence[int], threshold: int) -> list[str] | None:
    """One round's per-option counts as published, or None when the round is withheld."""
    voters = sum(counts)
    if voters < threshold:
        return None
    small = [c for c in counts if 0 < c < threshold]
    if not small:
        return [str(c) for c in counts]
    k, total = len(small), sum(small)
    # Two or more small cells whose sum leaves more than one way to fill them (not all 1, not
    # all t-1), in a round big enough that a withheld round still has other shapes.
    if voters > threshold and k >= 2 and k < total < k * (threshold - 1):
        return [masked(c, threshold) for c in counts]
    return None


@dataclass(frozen=True)
class Figures:
    """A case's vote figures as the summary prints them (counts are strings, see summary.Count)."""

    voters_before: str
    voters_after: str
    before: list[str]
    after: list[str]
    compared: str = HIDDEN
    changed: str = HIDDEN
    moves: list[tuple[str, str, str]] = field(default_factory=list)
    shift: float | None = None
    disagreement_before: float | None = None
    disagreement_after: float | None = None

    @property
    def first_printed(self) -> bool:
        """Whether the first round's per-option figures are printed (the duty marks follow it)."""
        return shown(self.voters_before) and HIDDEN not in self.before


def figures(
    people: int,
    first: Mapping[int, str],
    second: Mapping[int, str],
    keys: Sequence[str],
    threshold: int,
) -> Figures:
    """What the summary shows of one case's votes; `first`/`second` map participant id -> option."""
    hidden = [HIDDEN] * len(keys)
    voters = masked(len(first), threshold), masked(len(second), threshold)
    if people < threshold:
        return Figures(*voters, list(hidden), list(hidden))
    counts = [tally.split(list(votes.values()), keys) for votes in (first, second)]
    before, after = (row([c[k] for k in keys], threshold) for c in counts)
    out = Figures(
        *voters,
        before or list(hidden),
        after or list(hidden),
        disagreement_before=_disagreement(before, counts[0], threshold),
        disagreement_after=_disagreement(after, counts[1], threshold),
    )
    if before is None or after is None or not all(map(shown, before + after)):
        return out
    out = replace(out, shift=net_shift(counts[0], counts[1]))
    # Who moved from which option to which is printed only when the printed rounds alone prove
    # every such move is 0 or at least t: deciding on the true moves would let a withheld block
    # tell a reader that one of them is small, and with both rounds printed that can pin it.
    pairs = [(counts[0][b], counts[1][a]) for b, a in itertools.permutations(keys, 2)]
    pairs.append((len(first), len(second)))  # how many voted twice
    if not all(_never_small(b, a, people, threshold) for b, a in pairs):
        return out
    moved = tally.shift(first, second)
    return replace(
        out,
        compared=str(moved.compared),
        changed=str(moved.changed),
        moves=[(a, b, str(n)) for (a, b), n in moved.moves.items()],
    )


def _never_small(before: int, after: int, people: int, threshold: int) -> bool:
    """Whether a cell of a people x people table with these margins is 0 or >= t in every table
    (its possible values are exactly the Fréchet interval [before + after - people, min])."""
    low, high = max(0, before + after - people), min(before, after)
    return high == 0 or low >= threshold


def net_shift(before: Mapping[str, int], after: Mapping[str, int]) -> float | None:
    """The share of the room that moved on balance: half the summed differences of the two
    rounds' shares per option. It is computed from the printed rounds alone, so it tells nothing
    they do not; it is a lower bound of the share who changed their vote."""
    first, second = sum(before.values()), sum(after.values())
    if not first or not second:
        return None
    return round(sum(abs(before[k] / first - after[k] / second) for k in before) / 2, 2)


def _disagreement(
    published: list[str] | None, counts: Mapping[str, int], threshold: int
) -> float | None:
    """Only from a printed round: the largest count and the total are then printed too."""
    return None if published is None else insight.disagreement(list(counts.values()), threshold)


def marks(counts: Mapping[str, int], round_printed: bool, threshold: int) -> dict[str, str]:
    """People's duty marks per duty: all exact, or all withheld when any is small."""
    if not round_printed or any(0 < n < threshold for n in counts.values()):
        return dict.fromkeys(counts, HIDDEN)
    return {duty: str(n) for duty, n in counts.items()}


def difficulty(ratings: Sequence[int], people: int, threshold: int) -> tuple[float | None, str]:
    """The mean 'how hard' (1-5) and how many answered; the mean only from t answers up."""
    if people < threshold:
        return None, HIDDEN
    mean = insight.mean(float(r) for r in ratings) if len(ratings) >= threshold else None
    return mean, masked(len(ratings), threshold)
