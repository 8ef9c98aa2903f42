"""The reveal gate: results open when every group has answered or the time is up, or when forced."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.domain import RuleError
from app.domain.phases import RANK, Phase


def crosses_reveal(current: Phase, target: Phase) -> bool:
    """Whether a move takes the case from before the reveal to the reveal or past it."""
    reveal = RANK.index(Phase.REVEAL)
    return RANK.index(current) < reveal <= RANK.index(target)


def gated(order: Sequence[Phase], current: Phase, target: Phase) -> bool:
    """Whether a move waits at the gate: the case has a reveal and the move reaches it or beyond."""
    return Phase.REVEAL in order and crosses_reveal(current, target)


def reveal_open(groups: int, answered: int, time_up: bool) -> bool:
    """Every group has answered (a room without groups has nothing to wait for), or the timer ran out."""
    return answered >= groups or time_up


def check_reveal(groups: int, answered: int, time_up: bool, force: bool) -> None:
    if force or reveal_open(groups, answered, time_up):
        return
    raise RuleError("reveal.waiting", answered=answered, groups=groups)


def time_up(deadline: datetime | None, now: datetime) -> bool:
    """Whether a running timer has ended."""
    return deadline is not None and deadline <= now
