"""Phase rules: transitions, the ends of a case, voting rounds and session status checks."""

from __future__ import annotations

import itertools

import pytest

from app.domain import RuleError
from app.domain.phases import (
    ORDER,
    VOTING_PHASES,
    Phase,
    Status,
    came_late,
    check_end,
    check_group_answer_open,
    check_join,
    check_next_case,
    check_reason_open,
    check_start,
    check_transition,
    next_case_came_late,
    next_phase,
    previous_phase,
    start_came_late,
    voting_round,
)

ALL_PAIRS = list(itertools.product(ORDER, ORDER))
FORWARD = [(a, b) for a, b in ALL_PAIRS if ORDER.index(b) > ORDER.index(a)]
ONE_BACK = [(a, b) for a, b in ALL_PAIRS if ORDER.index(b) == ORDER.index(a) - 1]
SAME = [(a, a) for a in ORDER]
TWO_OR_MORE_BACK = [(a, b) for a, b in ALL_PAIRS if ORDER.index(b) <= ORDER.index(a) - 2]


def _id(pair: tuple[Phase, Phase]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


def test_rule_error_is_an_exception() -> None:
    assert issubclass(RuleError, Exception)


def test_order_is_the_case_lifecycle() -> None:
    assert ORDER == (
        Phase.PRESENT,
        Phase.VOTE,
        Phase.DISCUSS,
        Phase.GROUP_ANSWER,
        Phase.REVEAL,
        Phase.REVOTE,
        Phase.CLOSED,
    )


def test_transition_tables_cover_every_pair() -> None:
    assert len(FORWARD) + len(ONE_BACK) + len(SAME) + len(TWO_OR_MORE_BACK) == len(ORDER) ** 2
    assert len(FORWARD) == 21
    assert len(ONE_BACK) == 6
    assert len(TWO_OR_MORE_BACK) == 15


# --- check_transition -------------------------------------------------------------------------


@pytest.mark.parametrize("pair", FORWARD, ids=_id)
def test_any_step_forward_is_allowed(pair: tuple[Phase, Phase]) -> None:
    current, target = pair
    assert check_transition(current, target) is target


@pytest.mark.parametrize("pair", ONE_BACK, ids=_id)
def test_exactly_one_step_back_is_allowed(pair: tuple[Phase, Phase]) -> None:
    current, target = pair
    assert check_transition(current, target) is target


@pytest.mark.parametrize("pair", SAME, ids=_id)
def test_same_phase_is_refused(pair: tuple[Phase, Phase]) -> None:
    current, target = pair
    with pytest.raises(RuleError) as exc:
        check_transition(current, target)
    assert (exc.value.key, exc.value.params) == ("phase.already", {"phase": current})


@pytest.mark.parametrize("pair", TWO_OR_MORE_BACK, ids=_id)
def test_two_or_more_steps_back_are_refused(pair: tuple[Phase, Phase]) -> None:
    current, target = pair
    with pytest.raises(RuleError) as exc:
        check_transition(current, target)
    # The refusal names where we are, the one phase we could go back to, and the refused target.
    one_back = ORDER[ORDER.index(current) - 1]
    assert exc.value.key == "phase.one_back"
    assert exc.value.params == {"found": current, "expected": one_back, "target": target}


def test_skipping_straight_to_closed_and_back_to_revote() -> None:
    assert check_transition(Phase.PRESENT, Phase.CLOSED) is Phase.CLOSED
    assert check_transition(Phase.CLOSED, Phase.REVOTE) is Phase.REVOTE
    with pytest.raises(RuleError):
        check_transition(Phase.CLOSED, Phase.PRESENT)


# --- next_phase / previous_phase --------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(ORDER) - 1))
def test_next_phase_is_the_following_one(index: int) -> None:
    assert next_phase(ORDER[index]) is ORDER[index + 1]


@pytest.mark.parametrize("index", range(1, len(ORDER)))
def test_previous_phase_is_the_one_before(index: int) -> None:
    assert previous_phase(ORDER[index]) is ORDER[index - 1]


def test_next_phase_after_closed_is_refused() -> None:
    with pytest.raises(RuleError, match=r"phase\.no_next\(found=closed\)"):
        next_phase(Phase.CLOSED)


def test_previous_phase_before_present_is_refused() -> None:
    with pytest.raises(RuleError, match=r"phase\.no_previous\(found=present\)"):
        previous_phase(Phase.PRESENT)


@pytest.mark.parametrize("phase", ORDER[:-1], ids=str)
def test_next_phase_is_always_a_legal_transition(phase: Phase) -> None:
    assert check_transition(phase, next_phase(phase)) is next_phase(phase)


@pytest.mark.parametrize("phase", ORDER[1:], ids=str)
def test_previous_phase_is_always_a_legal_transition(phase: Phase) -> None:
    assert check_transition(phase, previous_phase(phase)) is previous_phase(phase)


# --- voting_round -----------------------------------------------------------------------------

PHASES_AND_NONE: list[Phase | None] = [*ORDER, None]


def test_voting_phases_are_vote_and_revote() -> None:
    assert VOTING_PHASES == {Phase.VOTE: 1, Phase.REVOTE: 2}


@pytest.mark.parametrize("status", list(Status), ids=str)
@pytest.mark.parametrize("phase", PHASES_AND_NONE, ids=str)
def test_voting_round_only_in_vote_or_revote_while_running(
    status: Status, phase: Phase | None
) -> None:
    expected = {Phase.VOTE: 1, Phase.REVOTE: 2}
    if status is Status.RUNNING and phase in expected:
        assert voting_round(status, phase) == expected[phase]
    else:
        with pytest.raises(RuleError, match=r"vote\.(closed|not_running)"):
            voting_round(status, phase)


def test_voting_round_refusal_names_the_phase() -> None:
    with pytest.raises(RuleError) as exc:
        voting_round(Status.RUNNING, Phase.DISCUSS)
    assert exc.value.params == {"expected": Phase.VOTE, "found": Phase.DISCUSS}


def test_voting_round_message_without_a_phase_names_the_status() -> None:
    with pytest.raises(RuleError) as exc:
        voting_round(Status.LOBBY, None)
    assert exc.value.key == "vote.not_running"
    assert exc.value.params == {"expected": Status.RUNNING, "found": Status.LOBBY}


# --- writing windows --------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status), ids=str)
@pytest.mark.parametrize("phase", PHASES_AND_NONE, ids=str)
def test_group_answer_open_only_in_discuss_and_group_answer(
    status: Status, phase: Phase | None
) -> None:
    if status is Status.RUNNING and phase in (Phase.DISCUSS, Phase.GROUP_ANSWER):
        check_group_answer_open(status, phase)
    else:
        with pytest.raises(RuleError, match=r"answer\.closed"):
            check_group_answer_open(status, phase)


@pytest.mark.parametrize("status", list(Status), ids=str)
@pytest.mark.parametrize("phase", PHASES_AND_NONE, ids=str)
def test_reason_open_only_while_voting_and_discussing(status: Status, phase: Phase | None) -> None:
    if status is Status.RUNNING and phase in (Phase.VOTE, Phase.DISCUSS, Phase.REVOTE):
        check_reason_open(status, phase)
    else:
        with pytest.raises(RuleError, match=r"reason\.closed"):
            check_reason_open(status, phase)


# --- session status -------------------------------------------------------------------------


@pytest.mark.parametrize("case_count", [1, 2, 10])
def test_start_from_lobby_with_cases(case_count: int) -> None:
    check_start(Status.LOBBY, case_count)


def test_start_without_cases_is_refused() -> None:
    with pytest.raises(RuleError, match=r"session\.no_cases\(\)"):
        check_start(Status.LOBBY, 0)


@pytest.mark.parametrize("status", [Status.RUNNING, Status.ENDED], ids=str)
@pytest.mark.parametrize("case_count", [0, 3])
def test_start_only_from_lobby(status: Status, case_count: int) -> None:
    with pytest.raises(RuleError) as exc:
        check_start(status, case_count)
    assert exc.value.key == "session.start_from_lobby"
    assert exc.value.params == {"expected": Status.LOBBY, "found": status}


@pytest.mark.parametrize(
    ("position", "case_count", "expected"),
    [(0, 2, 1), (0, 3, 1), (1, 3, 2), (4, 10, 5), (8, 10, 9)],
)
def test_next_case_while_one_follows(position: int, case_count: int, expected: int) -> None:
    assert check_next_case(Status.RUNNING, position, case_count) == expected


@pytest.mark.parametrize(("position", "case_count"), [(0, 1), (1, 2), (2, 3), (9, 10), (5, 3)])
def test_next_case_after_the_last_is_refused(position: int, case_count: int) -> None:
    with pytest.raises(RuleError, match=r"session\.last_case"):
        check_next_case(Status.RUNNING, position, case_count)


@pytest.mark.parametrize("status", [Status.LOBBY, Status.ENDED], ids=str)
def test_next_case_only_while_running(status: Status) -> None:
    with pytest.raises(RuleError) as exc:
        check_next_case(status, 0, 5)
    assert exc.value.key == "session.not_running"
    assert exc.value.params == {"expected": Status.RUNNING, "found": status}


@pytest.mark.parametrize("status", [Status.LOBBY, Status.RUNNING], ids=str)
def test_join_while_not_ended(status: Status) -> None:
    check_join(status)


def test_join_after_end_is_refused() -> None:
    with pytest.raises(RuleError, match=r"session\.ended"):
        check_join(Status.ENDED)


@pytest.mark.parametrize("status", [Status.LOBBY, Status.RUNNING], ids=str)
def test_end_while_not_ended(status: Status) -> None:
    check_end(status)


def test_end_twice_is_refused() -> None:
    with pytest.raises(RuleError, match=r"session\.already_ended"):
        check_end(Status.ENDED)


@pytest.mark.parametrize("action", ["next", "back", "skip"])
def test_a_relative_press_from_a_phase_the_room_has_left_came_late(action: str) -> None:
    assert came_late(action, "present", Phase.VOTE)  # pressed twice: the first moved the room
    assert not came_late(action, "vote", Phase.VOTE)  # the room is where the page showed it
    assert not came_late(action, "", Phase.VOTE)  # a press that names no phase is taken as is


def test_a_press_naming_its_target_is_never_late() -> None:
    assert not came_late("discuss", "present", Phase.VOTE)


def test_a_next_case_press_from_a_case_the_room_has_left_came_late() -> None:
    assert next_case_came_late(0, 1)  # pressed twice: the first opened case 2
    assert not next_case_came_late(1, 1)
    assert not next_case_came_late(None, 1)  # a press that names no case is taken as is


def test_a_start_press_from_the_lobby_after_the_start_came_late() -> None:
    assert start_came_late("lobby", Status.RUNNING)  # pressed twice: the first started it
    assert not start_came_late("lobby", Status.LOBBY)
    assert not start_came_late("lobby", Status.ENDED)  # ended since: refused, and says why
    assert not start_came_late("", Status.RUNNING)  # a press that names nothing: as before
