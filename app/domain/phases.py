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

    PRESENT = "present"
    CLARIFY = "clarify"
    VOTE = "vote"
    DISCUSS = "discuss"
    REFLECT = "reflect"
    GROUP_ANSWER = "group_answer"
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


FORMAT_LABELS_DA: dict[Format, str] = {
    Format.DILEMMA: "Dilemma med afstemning",
    Format.KOLLEGASPARRING: "Kollegasparring",
}

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


def sequence(fmt: Format, has_options: bool) -> tuple[Phase, ...]:
    """The phases a case runs through in a session of this format."""
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
    },
}
"""How long each step runs unless the session says otherwise; the timer starts on entering it."""


def step_seconds(fmt: Format, phase: Phase, overrides: dict[str, int]) -> int | None:
    """The timer to start when a case enters `phase`: the session's own, else the format's."""
    seconds = overrides.get(phase.value, STEP_SECONDS[fmt].get(phase))
    return seconds if seconds else None


PHASE_LABELS_DA: dict[Phase, str] = {
    Phase.PRESENT: "Præsentation",
    Phase.CLARIFY: "Opklarende spørgsmål",
    Phase.VOTE: "Afstemning",
    Phase.DISCUSS: "Drøftelse i grupper",
    Phase.REFLECT: "Refleksion over pligterne",
    Phase.GROUP_ANSWER: "Gruppens svar",
    Phase.REVEAL: "Resultat",
    Phase.REVOTE: "Ny afstemning",
    Phase.CLOSED: "Afsluttet",
}

STEP_PROMPTS_DA: dict[Phase, str] = {
    Phase.PRESENT: "Læs kollegaens dilemma. Hvad er på spil, og for hvem?",
    Phase.CLARIFY: "Stil opklarende spørgsmål: hvad mangler I at vide for at forstå situationen? "
    "Giv ingen råd endnu.",
    Phase.REFLECT: "Hvilke af de syv pligter er i spil, og hvor trækker de i hver sin retning? "
    "Skriv din refleksion.",
    Phase.GROUP_ANSWER: "Bliv enige om gruppens råd til kollegaen, og skriv det.",
    Phase.REVEAL: "Gruppernes råd til kollegaen.",
}
"""What the phones ask for in each step of kollegasparring."""


def phase_label(phase: Phase, fmt: Format) -> str:
    if fmt == Format.KOLLEGASPARRING and phase is Phase.GROUP_ANSWER:
        return "Gruppens råd"
    return PHASE_LABELS_DA[phase]


VOTING_PHASES: dict[Phase, int] = {Phase.VOTE: 1, Phase.REVOTE: 2}
"""Phases in which participants vote, and the round each one records."""


def _index(phase: Phase, order: Sequence[Phase]) -> int:
    if phase not in order:
        raise RuleError(f"Fasen '{PHASE_LABELS_DA[phase]}' findes ikke for denne case")
    return order.index(phase)


def next_phase(current: Phase, order: Sequence[Phase] = ORDER) -> Phase:
    """The phase after `current`; closed is the end of a case."""
    if current is Phase.CLOSED:
        raise RuleError(
            "Kan ikke gå videre: casen er allerede afsluttet (expected a phase before closed)"
        )
    return order[_index(current, order) + 1]


def check_transition(current: Phase, target: Phase, order: Sequence[Phase] = ORDER) -> Phase:
    """Allow any step forward (skipping phases) or exactly one step back; refuse the rest."""
    here, there = _index(current, order), _index(target, order)
    if there == here:
        raise RuleError(f"Casen er allerede i fasen '{PHASE_LABELS_DA[current]}'")
    if there < here - 1:
        raise RuleError(
            f"Kan kun gå én fase tilbage: fra '{PHASE_LABELS_DA[current]}' "
            f"til '{PHASE_LABELS_DA[order[here - 1]]}', ikke til '{PHASE_LABELS_DA[target]}'"
        )
    return target


def previous_phase(current: Phase, order: Sequence[Phase] = ORDER) -> Phase:
    """The phase before `current`; present has none."""
    if current is Phase.PRESENT:
        raise RuleError("Kan ikke gå tilbage: casen er i den første fase (præsentation)")
    return order[_index(current, order) - 1]


def voting_round(status: Status, phase: Phase | None) -> int:
    """The round a vote now counts in; refuses when the room is not voting."""
    if status is not Status.RUNNING:
        raise RuleError(
            f"Der kan ikke stemmes nu: sessionen kører ikke (expected running, got {status.value})"
        )
    if phase is None or phase not in VOTING_PHASES:
        shown = PHASE_LABELS_DA[phase] if phase is not None else "ingen"
        raise RuleError(f"Der kan ikke stemmes nu: fasen er '{shown}', ikke afstemning")
    return VOTING_PHASES[phase]


def check_group_answer_open(status: Status, phase: Phase | None) -> None:
    """Group answers (and kollegasparring's advice) are written while the groups talk."""
    if status is not Status.RUNNING or phase not in (
        Phase.DISCUSS,
        Phase.REFLECT,
        Phase.GROUP_ANSWER,
    ):
        raise RuleError("Gruppens svar kan kun skrives under drøftelse og gruppens svar")


def check_reason_open(status: Status, phase: Phase | None) -> None:
    """A person's own reason (a reflection in kollegasparring) while voting and discussing."""
    if status is not Status.RUNNING or phase not in (
        Phase.VOTE,
        Phase.DISCUSS,
        Phase.REFLECT,
        Phase.REVOTE,
    ):
        raise RuleError("Begrundelser kan kun skrives under afstemning og drøftelse")


def check_start(status: Status, case_count: int) -> None:
    if status is not Status.LOBBY:
        raise RuleError(
            f"Sessionen kan kun startes fra lobbyen (expected lobby, got {status.value})"
        )
    if case_count == 0:
        raise RuleError("Sessionen har ingen cases at starte med")


def check_next_case(status: Status, position: int, case_count: int) -> int:
    """The position of the next case; only when one follows."""
    if status is not Status.RUNNING:
        raise RuleError(f"Sessionen kører ikke (expected running, got {status.value})")
    if position + 1 >= case_count:
        raise RuleError("Der er ikke flere cases i sessionen; afslut sessionen i stedet")
    return position + 1


def check_join(status: Status) -> None:
    if status is Status.ENDED:
        raise RuleError("Sessionen er afsluttet og kan ikke længere tilgås")


def check_end(status: Status) -> None:
    if status is Status.ENDED:
        raise RuleError("Sessionen er allerede afsluttet")
