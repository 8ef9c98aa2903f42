"""Per-format phase sequences: open-discussion cases skip the votes, kollegasparring has its protocol."""

from __future__ import annotations

import pytest

from app.domain import RuleError
from app.domain.phases import (
    KOLLEGASPARRING_ORDER,
    OPEN_ORDER,
    ORDER,
    OWN_STEPS_WITH_PROMPTS,
    RANK,
    STEPS_WITH_PROMPTS,
    VOTING_PHASES,
    Format,
    Phase,
    Status,
    check_group_answer_open,
    check_reason_open,
    check_transition,
    next_phase,
    previous_phase,
    sequence,
    step_seconds,
)

SEQUENCES = [
    ORDER,
    OPEN_ORDER,
    KOLLEGASPARRING_ORDER,
    sequence(Format.KOLLEGASPARRING, False, group_cases=True, follow_ups=True),
]


def test_the_sequence_follows_format_and_options() -> None:
    assert sequence(Format.DILEMMA, has_options=True) == ORDER
    assert sequence(Format.DILEMMA, has_options=False) == OPEN_ORDER
    assert sequence(Format.KOLLEGASPARRING, has_options=True) == KOLLEGASPARRING_ORDER
    assert sequence(Format.KOLLEGASPARRING, has_options=False) == KOLLEGASPARRING_ORDER


@pytest.mark.parametrize("order", SEQUENCES[1:], ids=["open", "kollegasparring", "own_cases"])
def test_only_the_dilemma_with_options_votes(order: tuple[Phase, ...]) -> None:
    assert not set(order) & set(VOTING_PHASES)
    assert order[-1] is Phase.CLOSED and Phase.GROUP_ANSWER in order
    if order is not SEQUENCES[-1]:  # own cases find their case first and reveal nothing
        assert order[0] is Phase.PRESENT and Phase.REVEAL in order


@pytest.mark.parametrize(
    "order", SEQUENCES, ids=["dilemma", "open", "kollegasparring", "own_cases"]
)
def test_every_sequence_keeps_the_lifecycle_rank(order: tuple[Phase, ...]) -> None:
    ranks = [RANK.index(p) for p in order]
    assert ranks == sorted(ranks)


def test_kollegasparring_is_the_thisted_protocol() -> None:
    assert KOLLEGASPARRING_ORDER == (
        Phase.PRESENT,
        Phase.CLARIFY,
        Phase.REFLECT,
        Phase.GROUP_ANSWER,
        Phase.REVEAL,
        Phase.CLOSED,
    )
    assert set(KOLLEGASPARRING_ORDER[:-1]) == STEPS_WITH_PROMPTS
    own_cases = sequence(Format.KOLLEGASPARRING, False, group_cases=True, follow_ups=True)
    assert set(own_cases[:-1]) == OWN_STEPS_WITH_PROMPTS


@pytest.mark.parametrize(
    "order", SEQUENCES, ids=["dilemma", "open", "kollegasparring", "own_cases"]
)
def test_next_and_previous_walk_the_cases_own_sequence(order: tuple[Phase, ...]) -> None:
    phase = order[0]
    walked = [phase]
    while phase is not Phase.CLOSED:
        phase = check_transition(phase, next_phase(phase, order), order)
        walked.append(phase)
    assert tuple(walked) == order
    while phase is not Phase.PRESENT:
        phase = check_transition(phase, previous_phase(phase, order), order)
        walked.pop()
        assert phase is walked[-1]


def test_a_phase_outside_the_sequence_is_refused_by_name() -> None:
    with pytest.raises(RuleError, match=r"phase\.not_in_case\(phase=vote\)"):
        check_transition(Phase.PRESENT, Phase.VOTE, OPEN_ORDER)
    with pytest.raises(RuleError, match=r"phase\.not_in_case\(phase=revote\)"):
        check_transition(Phase.REVEAL, Phase.REVOTE, KOLLEGASPARRING_ORDER)
    with pytest.raises(RuleError, match=r"phase\.not_in_case\(phase=clarify\)"):
        next_phase(Phase.CLARIFY, ORDER)
    # Skipping forward and one step back work as in the dilemma.
    assert check_transition(Phase.PRESENT, Phase.REVEAL, OPEN_ORDER) is Phase.REVEAL
    with pytest.raises(RuleError, match=r"phase\.one_back"):
        check_transition(Phase.REVEAL, Phase.PRESENT, OPEN_ORDER)


def test_reflection_and_advice_are_written_in_the_protocol_steps() -> None:
    running = Status.RUNNING
    check_reason_open(running, Phase.REFLECT)
    check_group_answer_open(running, Phase.REFLECT)
    check_group_answer_open(running, Phase.GROUP_ANSWER)
    for closed in (Phase.PRESENT, Phase.CLARIFY, Phase.REVEAL):
        with pytest.raises(RuleError):
            check_group_answer_open(running, closed)
    with pytest.raises(RuleError):
        check_reason_open(running, Phase.CLARIFY)


def test_each_kollegasparring_step_has_a_timer_the_session_may_change() -> None:
    for step in (Phase.PRESENT, Phase.CLARIFY, Phase.REFLECT, Phase.GROUP_ANSWER):
        seconds = step_seconds(Format.KOLLEGASPARRING, step, {})
        assert seconds is not None and 60 <= seconds <= 20 * 60
    assert step_seconds(Format.KOLLEGASPARRING, Phase.REVEAL, {}) is None
    assert step_seconds(Format.KOLLEGASPARRING, Phase.CLARIFY, {"clarify": 120}) == 120
    assert step_seconds(Format.KOLLEGASPARRING, Phase.CLARIFY, {"clarify": 0}) is None
    assert step_seconds(Format.DILEMMA, Phase.VOTE, {}) is None
    assert step_seconds(Format.DILEMMA, Phase.DISCUSS, {"discuss": 600}) == 600
