"""Phase rules for a case and for the session as a whole.

Each case runs through a sequence of phases that depends on the session's format and on whether the
case has response options: a dilemma with options votes before and after the discussion, an
open-discussion case (no options) skips both votes, and kollegasparring follows its own protocol
(presented, clarifying questions, reflection on the duties, the group's advice).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from app.domain import RuleError


class Phase(StrEnum):
    """Every phase of every format, in the one order all sequences keep (see RANK)."""

    CHOOSE = "choose"  # kollegasparring with own cases: each group finds its case and case-giver
    FOLLOW_UP = "follow_up"  # ... and the open cases of the series' last meeting: what happened?
    PRESENT = "present"
    CLARIFY = "clarify"
    VOTE = "vote"
    DISCUSS = "discuss"
    REFLECT = "reflect"
    GROUP_ANSWER = "group_answer"
    TAKEAWAY = "takeaway"  # the case-giver closes: what they take with them, and what may leave
    REVEAL = "reveal"
    REVOTE = "revote"
    CLOSED = "closed"


class Status(StrEnum):
    LOBBY = "lobby"
    RUNNING = "running"
    ENDED = "ended"


class Format(StrEnum):
    DILEMMA = "dilemma"
    KOLLEGASPARRING = "kollegasparring"


RANK: tuple[Phase, ...] = tuple(Phase)
"""All phases in lifecycle order; every format's sequence is a subsequence of it."""

ORDER: tuple[Phase, ...] = (
    Phase.PRESENT,
    Phase.VOTE,
    Phase.DISCUSS,
    Phase.GROUP_ANSWER,
    Phase.REVEAL,
    Phase.REVOTE,
    Phase.CLOSED,
)
"""A dilemma with response options: vote, discuss, answer as a group, reveal, vote again."""

OPEN_ORDER: tuple[Phase, ...] = (
    Phase.PRESENT,
    Phase.DISCUSS,
    Phase.GROUP_ANSWER,
    Phase.REVEAL,
    Phase.CLOSED,
)
"""An open-discussion case (no options): groups post reasoning only, nobody votes."""

KOLLEGASPARRING_ORDER: tuple[Phase, ...] = (
    Phase.PRESENT,
    Phase.CLARIFY,
    Phase.REFLECT,
    Phase.GROUP_ANSWER,
    Phase.REVEAL,
    Phase.CLOSED,
)
"""The Thisted protocol: the case is presented, clarifying questions, reflection, the advice."""


GROUP_CASES_ORDER: tuple[Phase, ...] = (
    Phase.CHOOSE,
    Phase.PRESENT,
    Phase.CLARIFY,
    Phase.REFLECT,
    Phase.GROUP_ANSWER,
    Phase.TAKEAWAY,
    Phase.CLOSED,
)
"""Thisted as practised: every group runs its own case-giver's case in parallel, step by step.
Nothing is revealed to the room: the cases stay in the groups."""


def sequence(
    fmt: Format, has_options: bool, group_cases: bool = False, follow_ups: bool = False
) -> tuple[Phase, ...]:
    """The phases a case runs through in a session of this format.

    `group_cases`: kollegasparring where each group brings its own case; `follow_ups`: the open
    cases of the series' previous meeting are followed up first ("Hvad skete der?").
    """
    if fmt is Format.KOLLEGASPARRING and group_cases:
        if follow_ups:
            return (Phase.CHOOSE, Phase.FOLLOW_UP, *GROUP_CASES_ORDER[1:])
        return GROUP_CASES_ORDER
    if fmt is Format.KOLLEGASPARRING:
        return KOLLEGASPARRING_ORDER
    return ORDER if has_options else OPEN_ORDER


STEP_SECONDS: dict[Format, dict[Phase, int]] = {
    Format.DILEMMA: {},
    Format.KOLLEGASPARRING: {
        Phase.PRESENT: 3 * 60,
        Phase.CLARIFY: 5 * 60,
        Phase.REFLECT: 10 * 60,
        Phase.GROUP_ANSWER: 7 * 60,
        Phase.FOLLOW_UP: 5 * 60,
        Phase.TAKEAWAY: 3 * 60,
    },
}
"""How long each step runs unless the session says otherwise; the timer starts on entering it."""


def step_seconds(fmt: Format, phase: Phase, overrides: dict[str, int]) -> int | None:
    """The timer to start when a case enters `phase`: the session's own, else the format's."""
    seconds = overrides.get(phase.value, STEP_SECONDS[fmt].get(phase))
    return seconds if seconds else None


STEPS_WITH_PROMPTS: frozenset[Phase] = frozenset(
    (Phase.PRESENT, Phase.CLARIFY, Phase.REFLECT, Phase.GROUP_ANSWER, Phase.REVEAL)
)
"""The steps of kollegasparring for which the phones show an instruction (catalogue `step.*`)."""

OWN_STEPS_WITH_PROMPTS: frozenset[Phase] = frozenset((*GROUP_CASES_ORDER[:-1], Phase.FOLLOW_UP))
"""... and with own cases, the room-wide instruction of each step (catalogue `step.own.*`)."""


VOTING_PHASES: dict[Phase, int] = {Phase.VOTE: 1, Phase.REVOTE: 2}
"""Phases in which participants vote, and the round each one records."""

TALKING: frozenset[Phase] = frozenset((Phase.DISCUSS, Phase.REFLECT, Phase.GROUP_ANSWER))
"""Phases in which the groups talk and write their answer (kollegasparring's advice)."""


def vote_round(phase: Phase | None) -> int | None:
    """The round a vote in this phase records; none outside the votes."""
    return VOTING_PHASES.get(phase) if phase is not None else None


def talking(phase: Phase | None) -> bool:
    return phase in TALKING


def _index(phase: Phase, order: Sequence[Phase]) -> int:
    if phase not in order:
        raise RuleError("phase.not_in_case", phase=phase)
    return order.index(phase)


def next_phase(current: Phase, order: Sequence[Phase] = ORDER) -> Phase:
    """The phase after `current`; closed is the end of a case."""
    if current is Phase.CLOSED:
        raise RuleError("phase.no_next", found=current)
    return order[_index(current, order) + 1]


RELATIVE = ("next", "back", "skip")  # presses that move from wherever the room is


def came_late(action: str, seen: str, current: Phase) -> bool:
    """A relative press (next, back, skip) made on a page that showed phase `seen`, which the room
    has left since: a double click, or two facilitators pressing at once, already moved it, and
    moving again would skip a phase (pressed twice, "next" went past the vote). A press that
    names no phase (an older page, a script) is taken as it is."""
    return action in RELATIVE and bool(seen) and seen != current.value


def check_transition(current: Phase, target: Phase, order: Sequence[Phase] = ORDER) -> Phase:
    """Allow any step forward (skipping phases) or exactly one step back; refuse the rest."""
    here, there = _index(current, order), _index(target, order)
    if there == here:
        raise RuleError("phase.already", phase=current)
    if there < here - 1:
        raise RuleError("phase.one_back", found=current, expected=order[here - 1], target=target)
    return target


def previous_phase(current: Phase, order: Sequence[Phase] = ORDER) -> Phase:
    """The phase before `current`; the first has none."""
    here = _index(current, order)
    if here == 0:
        raise RuleError("phase.no_previous", found=current)
    return order[here - 1]


def voting_round(status: Status, phase: Phase | None) -> int:
    """The round a vote now counts in; refuses when the room is not voting."""
    if status is not Status.RUNNING:
        raise RuleError("vote.not_running", expected=Status.RUNNING, found=status)
    if phase is None or phase not in VOTING_PHASES:
        raise RuleError("vote.closed", expected=Phase.VOTE, found=phase)
    return VOTING_PHASES[phase]


def check_group_answer_open(status: Status, phase: Phase | None) -> None:
    """Group answers (and kollegasparring's advice) are written while the groups talk."""
    if status is not Status.RUNNING or not talking(phase):
        raise RuleError("answer.closed", found=phase)


def check_reason_open(status: Status, phase: Phase | None) -> None:
    """A person's own reason (a reflection in kollegasparring) while voting and discussing."""
    if status is not Status.RUNNING or phase not in (
        Phase.VOTE,
        Phase.DISCUSS,
        Phase.REFLECT,
        Phase.REVOTE,
    ):
        raise RuleError("reason.closed", found=phase)


def check_start(status: Status, case_count: int) -> None:
    if status is not Status.LOBBY:
        raise RuleError("session.start_from_lobby", expected=Status.LOBBY, found=status)
    if case_count == 0:
        raise RuleError("session.no_cases")


def check_next_case(status: Status, position: int, case_count: int) -> int:
    """The position of the next case; only when one follows."""
    if status is not Status.RUNNING:
        raise RuleError("session.not_running", expected=Status.RUNNING, found=status)
    if not has_next_case(position, case_count):
        raise RuleError("session.last_case")
    return position + 1


def start_came_late(seen: str, status: Status) -> bool:
    """A "Start sessionen" press from a page that showed the lobby, made after the session has
    started (a double click): it changes nothing, where it showed a refusal beside a room that had
    just started. Any other late start (the session has ended since) is refused as before."""
    return seen == Status.LOBBY.value and status is Status.RUNNING


def next_case_came_late(seen: int | None, position: int) -> bool:
    """A "next case" press made on a page that showed the case at position `seen`, which the room
    has left since (a double click, two facilitators at once): it changes nothing, or a case would
    be skipped and the groups mixed twice. A press that names no case is taken as it is."""
    return seen is not None and seen != position


def has_next_case(position: int, case_count: int) -> bool:
    """A case is planned after the one at `position` (else that one is the last)."""
    return position + 1 < case_count


def first_phase(phase: Phase | None, order: Sequence[Phase]) -> bool:
    """The case is at its first phase: there is nothing to go back to."""
    return bool(order) and phase is order[0]


def steps(order: Sequence[Phase]) -> tuple[Phase, ...]:
    """The steps a case is shown to go through: closed is its end, not a step."""
    return tuple(phase for phase in order if phase is not Phase.CLOSED)


def check_join(status: Status) -> None:
    if status is Status.ENDED:
        raise RuleError("session.ended")


def check_end(status: Status) -> None:
    if status is Status.ENDED:
        raise RuleError("session.already_ended")
