"""Who counts as present, and whom a vote count is out of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain import presence

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)


def test_a_phone_seen_within_the_window_is_present() -> None:
    assert presence.is_present(NOW - timedelta(minutes=4), None, NOW, WINDOW)
    assert presence.is_present(NOW - WINDOW, None, NOW, WINDOW)
    assert not presence.is_present(NOW - timedelta(minutes=6), None, NOW, WINDOW)


def test_someone_who_left_is_not_present_however_recently_seen() -> None:
    assert not presence.is_present(NOW, NOW, NOW, WINDOW)
    assert not presence.is_present(None, None, NOW, WINDOW)


def test_a_vote_count_is_out_of_the_present_and_the_voters_who_went() -> None:
    assert presence.counted({1, 2, 3}, {1, 2}) == 3
    assert presence.counted({1, 2}, {1, 2, 3}) == 3  # 3 voted and went: still one of the voters
    assert presence.counted(set(), set()) == 0


def test_away_minutes_never_negative() -> None:
    assert presence.away_minutes(NOW + timedelta(seconds=5), NOW) == 0
    assert presence.away_minutes(NOW - timedelta(minutes=7, seconds=59), NOW) == 7
    assert presence.away_minutes(None, NOW) == 0
