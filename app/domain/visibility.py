"""Who may see what in which phase; the views consult these, never the phase names directly."""

from __future__ import annotations

from app.domain.phases import RANK, Phase

# Up to this many groups every phone shows every group's answer at the reveal (a Thisted room of
# 20-40 chiefs makes 5-10 groups). Above it a phone shows its own group's answer and links to the
# rest: 750 answers pushed to each of 3,000 phones was 700 MB and a reveal of 5-6 s.
PHONE_ANSWERS_MAX = 12
PHONE_ANSWERS_PER_PAGE = 25  # the page of every group's answer, a phone's screen at a time


def _at_or_after(phase: Phase | None, first: Phase) -> bool:
    return phase is not None and RANK.index(phase) >= RANK.index(first)


def group_texts_visible(phase: Phase | None) -> bool:
    """A group sees its own members' reasons from the discussion on; never another group's."""
    return _at_or_after(phase, Phase.DISCUSS)


def results_visible(phase: Phase | None) -> bool:
    """The split of votes and every group's answer stay secret until reveal (no group-think)."""
    return _at_or_after(phase, Phase.REVEAL)


def shift_visible(phase: Phase | None) -> bool:
    """Before -> after is shown once the revote is over, so it cannot anchor the revote."""
    return phase is Phase.CLOSED


def phone_results_visible(phase: Phase | None, results_on_phones: bool) -> bool:
    """Phones see the results after reveal only when the session allows it (else the projector)."""
    return results_on_phones and results_visible(phase)


def phone_shows_results(phase: Phase | None, results_on_phones: bool) -> bool:
    """The results are on the phones' screens: after reveal, but not while they revote."""
    return phase is not Phase.REVOTE and phone_results_visible(phase, results_on_phones)


def phone_shows_all_answers(groups: int) -> bool:
    """A phone's reveal lists every group's answer only while the room is small; in a larger room
    it shows its own group's answer and a link to a page of all of them."""
    return groups <= PHONE_ANSWERS_MAX


def answer_pages(groups: int) -> int:
    """How many pages the phone's list of every group's answer takes (at least one)."""
    return max(1, -(-groups // PHONE_ANSWERS_PER_PAGE))


def answer_page(asked: int, groups: int) -> range:
    """The positions (from 0) of the groups shown on page `asked` (from 1; a page out of range
    shows the nearest one: an old link after a regrouping still lands somewhere)."""
    page = max(1, min(asked, answer_pages(groups)))
    start = (page - 1) * PHONE_ANSWERS_PER_PAGE
    return range(start, min(start + PHONE_ANSWERS_PER_PAGE, groups))


def perspective_visible(phase: Phase | None) -> bool:
    """The case's perspective (duties, what the kodeks says) comes after the groups answered."""
    return results_visible(phase)


def case_unfolded(phase: Phase | None) -> bool:
    """The case's text is open on the phones while people read it: as the groups find their
    cases, while it is presented and questioned, and during the first vote; later it folds."""
    return phase in (Phase.CHOOSE, Phase.PRESENT, Phase.CLARIFY, Phase.VOTE)


def projector_shows_case(phase: Phase | None) -> bool:
    """The wall shows the case's text while it is presented and questioned (a vote shows it with
    its options)."""
    return phase in (Phase.PRESENT, Phase.CLARIFY)
