"""Who may see what in which phase: one table over every phase and no phase at all."""

from __future__ import annotations

import pytest

from app.domain import visibility
from app.domain.phases import RANK, Phase
from app.domain.visibility import (
    group_texts_visible,
    results_visible,
    shift_visible,
)

# phase: (group texts, results, shift)
TABLE: dict[Phase | None, tuple[bool, bool, bool]] = {
    None: (False, False, False),
    Phase.CHOOSE: (False, False, False),
    Phase.FOLLOW_UP: (False, False, False),
    Phase.PRESENT: (False, False, False),
    Phase.CLARIFY: (False, False, False),
    Phase.VOTE: (False, False, False),
    Phase.DISCUSS: (True, False, False),
    Phase.REFLECT: (True, False, False),
    Phase.GROUP_ANSWER: (True, False, False),
    Phase.TAKEAWAY: (True, False, False),
    Phase.REVEAL: (True, True, False),
    Phase.REVOTE: (True, True, False),
    Phase.CLOSED: (True, True, True),
}


def test_table_covers_every_phase_and_none() -> None:
    assert set(TABLE) == {*Phase, None}


@pytest.mark.parametrize("phase", list(TABLE), ids=str)
def test_visibility(phase: Phase | None) -> None:
    texts, results, shift_ = TABLE[phase]
    assert group_texts_visible(phase) is texts
    assert results_visible(phase) is results
    assert shift_visible(phase) is shift_


@pytest.mark.parametrize("phase", list(Phase), ids=str)
def test_results_never_before_texts(phase: Phase) -> None:
    # Whatever the table says, results are a subset of what group texts reveal, and the
    # shift is a subset of the results.
    assert not results_visible(phase) or group_texts_visible(phase)
    assert not shift_visible(phase) or results_visible(phase)


@pytest.mark.parametrize("phase", [None, *Phase])
def test_phones_see_results_only_when_the_session_allows_it(phase: Phase | None) -> None:
    assert visibility.phone_results_visible(phase, True) is visibility.results_visible(phase)
    assert visibility.phone_results_visible(phase, False) is False


@pytest.mark.parametrize("phase", [None, *Phase])
def test_phones_hold_results_on_screen_after_reveal_except_while_revoting(
    phase: Phase | None,
) -> None:
    on_screen = visibility.results_visible(phase) and phase is not Phase.REVOTE
    assert visibility.phone_shows_results(phase, True) is on_screen
    assert visibility.phone_shows_results(phase, False) is False


@pytest.mark.parametrize("phase", [None, *Phase])
def test_the_perspective_never_shows_before_the_groups_have_answered(phase: Phase | None) -> None:
    before = phase is None or RANK.index(phase) < RANK.index(Phase.REVEAL)
    assert visibility.perspective_visible(phase) is not before


def test_the_case_text_is_open_while_people_read_it() -> None:
    assert [p for p in RANK if visibility.case_unfolded(p)] == [
        Phase.CHOOSE,
        Phase.PRESENT,
        Phase.CLARIFY,
        Phase.VOTE,
    ]
    assert [p for p in RANK if visibility.projector_shows_case(p)] == [Phase.PRESENT, Phase.CLARIFY]


@pytest.mark.parametrize(
    ("groups", "every_answer"), [(0, True), (1, True), (12, True), (13, False), (750, False)]
)
def test_phones_list_every_groups_answer_only_in_a_small_room(
    groups: int, every_answer: bool
) -> None:
    assert visibility.PHONE_ANSWERS_MAX == 12  # a Thisted room of 5-10 groups sees them all
    assert visibility.phone_shows_all_answers(groups) is every_answer


@pytest.mark.parametrize(
    ("asked", "groups", "shown"),
    [
        (1, 0, range(0, 0)),
        (1, 13, range(0, 13)),
        (1, 25, range(0, 25)),
        (2, 26, range(25, 26)),
        (2, 250, range(25, 50)),
        (10, 250, range(225, 250)),
        (11, 250, range(225, 250)),  # past the last page: the last one
        (0, 250, range(0, 25)),
        (-3, 250, range(0, 25)),
    ],
)
def test_the_page_of_every_answer_shows_a_screenful_at_a_time(
    asked: int, groups: int, shown: range
) -> None:
    assert visibility.answer_page(asked, groups) == shown
    assert visibility.answer_pages(groups) == max(1, -(-groups // 25))
