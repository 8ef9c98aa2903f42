"""The reveal's steps on the projector."""

from __future__ import annotations

from app.domain.reveal import Page, clamp, pages


def test_split_then_answers_two_at_a_time_then_perspective() -> None:
    assert pages(True, 5, True) == [
        Page("split", 0, 1),
        Page("answers", 0, 3),
        Page("answers", 1, 3),
        Page("answers", 2, 3),
        Page("perspective", 0, 1),
    ]


def test_an_open_discussion_has_no_split_and_no_groups_still_one_answers_page() -> None:
    assert pages(False, 0, False) == [Page("answers", 0, 1)]


def test_a_step_stays_within_the_pages() -> None:
    assert clamp(7, 3) == 2
    assert clamp(-1, 3) == 0
    assert clamp(1, 3) == 1
