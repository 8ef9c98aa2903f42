"""The reveal gate: every group answered, or the time is up, or the facilitator forces it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain import RuleError
from app.domain.gate import check_reveal, crosses_reveal, gated, reveal_open, time_up
from app.domain.phases import GROUP_CASES_ORDER, ORDER, RANK, Phase

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("current", RANK)
@pytest.mark.parametrize("target", RANK)
def test_only_moves_onto_or_past_the_reveal_from_before_it_cross(
    current: Phase, target: Phase
) -> None:
    before = RANK.index(current) < RANK.index(Phase.REVEAL)
    onto = RANK.index(target) >= RANK.index(Phase.REVEAL)
    assert crosses_reveal(current, target) is (before and onto)


@pytest.mark.parametrize(
    ("groups", "answered", "time_is_up", "open_"),
    [
        (3, 3, False, True),
        (3, 2, False, False),
        (3, 0, True, True),
        (0, 0, False, True),  # nobody to wait for
        (1, 0, False, False),
    ],
)
def test_reveal_opens_when_all_answered_or_time_is_up(
    groups: int, answered: int, time_is_up: bool, open_: bool
) -> None:
    assert reveal_open(groups, answered, time_is_up) is open_


def test_a_closed_gate_refuses_with_the_count_unless_forced() -> None:
    with pytest.raises(RuleError, match=r"reveal\.waiting\(answered=2, groups=3\)"):
        check_reveal(3, 2, False, force=False)
    check_reveal(3, 2, False, force=True)
    check_reveal(3, 3, False, force=False)


def test_time_up_at_the_deadline() -> None:
    assert not time_up(None, NOW)
    assert time_up(NOW - timedelta(seconds=1), NOW)
    assert time_up(NOW, NOW)
    assert not time_up(NOW + timedelta(seconds=1), NOW)


def test_only_a_case_with_a_reveal_waits_at_the_gate() -> None:
    assert gated(ORDER, Phase.GROUP_ANSWER, Phase.REVEAL)
    assert not gated(ORDER, Phase.DISCUSS, Phase.GROUP_ANSWER)
    assert not gated(GROUP_CASES_ORDER, Phase.TAKEAWAY, Phase.CLOSED)
