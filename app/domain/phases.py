"""Phase rules for a case in a dilemma session and for the session as a whole."""

from __future__ import annotations

from enum import StrEnum

from app.domain import RuleError


class Phase(StrEnum):
    PRESENT = "present"
    VOTE = "vote"
    DISCUSS = "discuss"
    GROUP_ANSWER = "group_answer"
    REVEAL = "reveal"
    REVOTE = "revote"
    CLOSED = "closed"


class Status(StrEnum):
    LOBBY = "lobby"
    RUNNING = "running"
    ENDED = "ended"


ORDER: tuple[Phase, ...] = tuple(Phase)

PHASE_LABELS_DA: dict[Phase, str] = {
    Phase.PRESENT: "Præsentation",
    Phase.VOTE: "Afstemning",
    Phase.DISCUSS: "Drøftelse i grupper",
    Phase.GROUP_ANSWER: "Gruppens svar",
    Phase.REVEAL: "Resultat",
    Phase.REVOTE: "Ny afstemning",
    Phase.CLOSED: "Afsluttet",
}

VOTING_PHASES: dict[Phase, int] = {Phase.VOTE: 1, Phase.REVOTE: 2}
"""Phases in which participants vote, and the round each one records."""


def next_phase(current: Phase) -> Phase:
    """The phase after `current`; closed is the end of a case."""
    if current is Phase.CLOSED:
        raise RuleError(
            "Kan ikke gå videre: casen er allerede afsluttet (expected a phase before closed)"
        )
    return ORDER[ORDER.index(current) + 1]


def check_transition(current: Phase, target: Phase) -> Phase:
    """Allow any step forward (skipping phases) or exactly one step back; refuse the rest."""
    here, there = ORDER.index(current), ORDER.index(target)
    if there == here:
        raise RuleError(f"Casen er allerede i fasen '{PHASE_LABELS_DA[current]}'")
    if there < here - 1:
        raise RuleError(
            f"Kan kun gå én fase tilbage: fra '{PHASE_LABELS_DA[current]}' "
            f"til '{PHASE_LABELS_DA[ORDER[here - 1]]}', ikke til '{PHASE_LABELS_DA[target]}'"
        )
    return target


def previous_phase(current: Phase) -> Phase:
    """The phase before `current`; present has none."""
    if current is Phase.PRESENT:
        raise RuleError("Kan ikke gå tilbage: casen er i den første fase (præsentation)")
    return ORDER[ORDER.index(current) - 1]


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
    """Group answers are written in discuss and group_answer only."""
    if status is not Status.RUNNING or phase not in (Phase.DISCUSS, Phase.GROUP_ANSWER):
        raise RuleError("Gruppens svar kan kun skrives under drøftelse og gruppens svar")


def check_reason_open(status: Status, phase: Phase | None) -> None:
    """A person's own reason may be written while voting and discussing."""
    if status is not Status.RUNNING or phase not in (Phase.VOTE, Phase.DISCUSS, Phase.REVOTE):
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
