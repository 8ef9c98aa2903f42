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
