"""The result on the projector as steps: the split, then the groups' answers, then the perspective.

Read from the back of a room, text stays large (28 px and up); rather than shrink a long result, it
is shown one part at a time and the facilitator moves on. Phones show it all, one under another
(above PHONE_ANSWERS_MAX groups only their own group's answer: app/domain/visibility.py).
"""

from __future__ import annotations

from typing import NamedTuple

ANSWERS_PER_PAGE = 2  # each answer shown up to six lines at full width


class Page(NamedTuple):
    kind: str  # "split" | "answers" | "perspective"
    number: int  # which page of answers (0 otherwise)
    pages: int  # how many pages of that kind


def pages(has_options: bool, groups: int, has_perspective: bool) -> list[Page]:
    answer_pages = max(1, -(-groups // ANSWERS_PER_PAGE))
    out = [Page("split", 0, 1)] if has_options else []
    out += [Page("answers", i, answer_pages) for i in range(answer_pages)]
    if has_perspective:
        out.append(Page("perspective", 0, 1))
    return out


def clamp(step: int, count: int) -> int:
    """A stored step within the pages there are now (groups can change after a step was set)."""
    return max(0, min(step, count - 1))
