"""Who is in the room: a phone counts as present while it shows signs of life.

A phone's open page is seen at least once a beat (app.presence); one that has not been seen for
the window (tab closed, battery dead, gone home) stops counting: it no longer holds up the vote
count or the reveal gate. It comes back the moment its page opens again. A person who left on
purpose, or whom the facilitator removed, is not present until they join again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

WINDOW = timedelta(minutes=5)  # the default; SPARRING_PRESENCE_MINUTES sets it


def is_present(
    seen_at: datetime | None, left_at: datetime | None, now: datetime, window: timedelta
) -> bool:
    if left_at is not None or seen_at is None:
        return False
    return seen_at >= now - window


def away_minutes(seen_at: datetime | None, now: datetime) -> int:
    """Whole minutes since the phone was last seen (what the control page shows beside it)."""
    if seen_at is None:
        return 0
    return max(0, int((now - seen_at).total_seconds() // 60))


def counted(present: set[int], voted: set[int]) -> int:
    """Whom a vote count is out of: everyone present, and whoever voted and has gone since."""
    return len(present | voted)
