"""Who may see what in which phase; the views consult these, never the phase names directly."""

from __future__ import annotations

from app.domain.phases import RANK, Phase


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
