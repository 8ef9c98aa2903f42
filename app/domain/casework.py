"""Kollegasparring as Thisted practises it: each group runs its own case-giver's case.

The rules for one group's case, with no I/O: who has which role, what each phone is asked to do
in each step, who may see the case, when a group is done with a step, where cases land when groups
change, and what the case-giver's consent lets out of the group (nothing, the duties and the advice,
or also an anonymised version of the case).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.domain import RuleError
from app.domain.phases import RANK, Phase, Status


class Role(StrEnum):
    GIVER = "giver"  # brought the case (or took it on for the group): presents, listens, closes
    MEMBER = "member"  # asks, reflects, advises


class Origin(StrEnum):
    OWN = "own"  # typed by the case-giver on their phone
    SUBMISSION = "submission"  # an anonymous dilemma the facilitator gave the group
    LIBRARY = "library"  # a library case the facilitator gave the group
    CARRIED = "carried"  # open at the series' last meeting: followed up ("Hvad skete der?")


class Share(StrEnum):
    """What leaves the group, chosen by the case-giver at the close. Nothing unless chosen."""

    NOTHING = "none"
    ADVICE = "advice"  # the duties in play and the group's advice
    CASE = "case"  # ... and an anonymised version of the case, written by the case-giver


MIN_TEXT, MAX_TEXT = 20, 2000
MAX_TITLE = 120
MAX_NOTE = 2000


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about one group's case."""

    id: int
    group: int | None
    giver: int | None
    origin: Origin
    done_phase: str = ""  # the step the group marked done ("vi er klar")
    advice: bool = False  # the group's advice is saved
    closed: bool = False  # the case-giver has closed (takeaway and consent given)

    @property
    def carried(self) -> bool:
        return self.origin is Origin.CARRIED


def role(person: int | None, case: CaseFacts | None) -> Role:
    return (
        Role.GIVER
        if case is not None and person is not None and case.giver == person
        else (Role.MEMBER)
    )


# What a phone is asked to do -------------------------------------------------------------------


def task(phase: Phase | None, who: Role, has_case: bool, has_giver: bool = True) -> str:
    """The name of this phone's task in this step (its words: app/i18n/named.py TASKS)."""
    if phase is None:
        return ""
    if phase is Phase.CLOSED:
        return "closed"
    if phase is Phase.FOLLOW_UP:
        return f"follow_up.{who}"
    if not has_case:
        return "no_case"
    if not has_giver:
        return "no_giver"
    return f"{phase}.{who}"


def shown_role(phase: Phase | None, who: Role, carries: bool) -> Role:
    """The role a phone plays now: in the follow-up, whoever carried a case from the last
    meeting tells what happened (the giver's part) and everyone else listens."""
    if phase is Phase.FOLLOW_UP:
        return Role.GIVER if carries else Role.MEMBER
    return who


def may_ask(phase: Phase | None, who: Role) -> bool:
    """The members jot down their clarifying questions while the case-giver answers them."""
    return phase is Phase.CLARIFY and who is Role.MEMBER


def duties_shown(phase: Phase | None) -> bool:
    """The duties the group marked are on its phones from the reflection on."""
    return phase is not None and RANK.index(phase) >= RANK.index(Phase.REFLECT)


def marks_case_ready(phase: Phase | None) -> bool:
    """Steps in which a group marks its own case ready (a follow-up is marked for the carried
    cases, not the group's own)."""
    return phase in MARKED_STEPS and phase is not Phase.FOLLOW_UP


# Who sees a case ---------------------------------------------------------------------------------


def phone_sees_case(viewer_group: int | None, viewer: int | None, case: CaseFacts) -> bool:
    """A case is confidential to its group: its members' phones and its case-giver's phone."""
    if case.giver is not None and viewer == case.giver:
        return True
    return viewer_group is not None and viewer_group == case.group and not case.carried


def facilitator_sees_text(origin: Origin) -> bool:
    """The facilitator sees the text only of cases it handed out itself (it had them already);
    a case typed by a case-giver stays in the group. The projector never shows a case."""
    return origin in (Origin.SUBMISSION, Origin.LIBRARY)


# Progress ----------------------------------------------------------------------------------------

MARKED_STEPS = (Phase.FOLLOW_UP, Phase.PRESENT, Phase.CLARIFY, Phase.REFLECT)
"""Steps whose end only the group knows: a phone marks "we are ready" for its group."""


def step_done(phase: Phase | None, case: CaseFacts | None) -> bool:
    """Whether a group has done the current step (the projector's and control page's progress)."""
    if phase is None or case is None:
        return False
    if phase is Phase.CHOOSE:
        return case.giver is not None
    if phase is Phase.GROUP_ANSWER:
        return case.advice
    if phase is Phase.TAKEAWAY:
        return case.closed
    if phase is Phase.CLOSED:
        return True
    return case.done_phase == phase


# What may be done when ---------------------------------------------------------------------------


def check_write(status: Status, phase: Phase | None) -> None:
    """An own case is typed before the meeting starts or while the groups find their cases."""
    if status is Status.ENDED:
        raise RuleError("casework.ended")
    if status is Status.RUNNING and not writing_open(phase):
        raise RuleError("casework.write_closed", found=phase)


def writing_open(phase: Phase | None) -> bool:
    """In a running meeting own cases are typed until the cases have been presented."""
    return phase in (Phase.CHOOSE, Phase.FOLLOW_UP, Phase.PRESENT)


def check_case_text(title: str, text: str) -> tuple[str, str]:
    title, text = " ".join(title.split()), text.replace("\r\n", "\n").strip()
    if not title or len(title) > MAX_TITLE:
        raise RuleError("casework.title", most=MAX_TITLE)
    if len(text) < MIN_TEXT:
        raise RuleError("casework.too_short", least=MIN_TEXT)
    if len(text) > MAX_TEXT:
        raise RuleError("casework.too_long", most=MAX_TEXT)
    return title, text


def check_note(text: str) -> str:
    """A note (a takeaway, a follow-up, one's own questions): stripped, at most MAX_NOTE."""
    if len(text) > MAX_NOTE:
        raise RuleError("casework.too_long", most=MAX_NOTE)
    return text.strip()


def check_take(person_group: int | None, case: CaseFacts | None) -> None:
    """A member takes on a case the group was given (a submitted dilemma or a library case)."""
    if case is None or person_group is None or case.group != person_group:
        raise RuleError("casework.no_case")
    if case.giver is not None:
        raise RuleError("casework.has_giver")


def check_mark_duty(status: Status, phase: Phase | None, who: Role) -> None:
    """The group marks the duties in play while the case-giver listens; the case-giver may adjust
    them afterwards, since they decide whether the duties leave the group."""
    if status is not Status.RUNNING or phase not in MARKING_STEPS:
        raise RuleError("casework.duties_closed", found=phase)
    if phase is Phase.REFLECT and who is Role.GIVER:
        raise RuleError("casework.giver_listens")


MARKING_STEPS = (Phase.REFLECT, Phase.GROUP_ANSWER, Phase.TAKEAWAY)
"""Steps in which the duties in play are marked."""


def may_mark_duty(status: Status, phase: Phase | None, who: Role) -> bool:
    try:
        check_mark_duty(status, phase, who)
    except RuleError:
        return False
    return True


def check_done(status: Status, phase: Phase | None, case: CaseFacts | None) -> Phase:
    if status is not Status.RUNNING or phase not in MARKED_STEPS:
        raise RuleError("casework.nothing_to_mark", found=phase)
    if case is None and phase is not Phase.FOLLOW_UP:
        raise RuleError("casework.no_case")
    return phase


def check_close(status: Status, phase: Phase | None, who: Role, share: str, brief: str) -> Share:
    """Only the case-giver closes, from the closing step on; sharing the case needs its brief."""
    if who is not Role.GIVER:
        raise RuleError("casework.giver_only")
    if status is not Status.RUNNING or not closing(phase):
        raise RuleError("casework.close_closed", found=phase)
    try:
        chosen = Share(share)
    except ValueError as exc:
        raise RuleError("casework.share_unknown") from exc
    if chosen is Share.CASE and len(brief.strip()) < MIN_TEXT:
        raise RuleError("casework.brief_needed", least=MIN_TEXT)
    if len(brief) > MAX_TEXT:
        raise RuleError("casework.too_long", most=MAX_TEXT)
    return chosen


def closing(phase: Phase | None) -> bool:
    """The case-giver closes the case from the closing step on."""
    return phase in (Phase.TAKEAWAY, Phase.CLOSED)


def check_follow_up(
    status: Status, phase: Phase | None, person: int | None, case: CaseFacts
) -> None:
    """The case-giver of a case carried from the last meeting tells what happened since."""
    if not case.carried or case.giver is None or case.giver != person:
        raise RuleError("casework.giver_only")
    if not follow_up_open(status, phase):
        raise RuleError("casework.follow_up_closed", found=phase)


def follow_up_open(status: Status, phase: Phase | None) -> bool:
    """What happened since is told once the groups have found their cases."""
    return status is Status.RUNNING and phase is not Phase.CHOOSE


def check_claim(person_group: int | None, case: CaseFacts) -> None:
    """A case-giver on a new phone claims their open case, once the facilitator gave it to their
    group (the phone that closed it would have been recognised)."""
    if not case.carried or person_group is None or case.group != person_group:
        raise RuleError("casework.no_case")
    if case.giver is not None:
        raise RuleError("casework.has_giver")


def check_assign(group_case: CaseFacts | None) -> None:
    """The facilitator gives a group without a case one (a submitted dilemma, a library case)."""
    if group_case is not None:
        raise RuleError("casework.group_has_case")


def check_merge(source: int, target: int, source_case: bool, target_case: bool) -> None:
    """Two groups become one (too few people, or no case): at most one of them may have a case."""
    if source == target:
        raise RuleError("casework.merge_same")
    if source_case and target_case:
        raise RuleError("casework.merge_two_cases")


# Where cases land when groups change -------------------------------------------------------------


def place(
    cases: Iterable[CaseFacts], group_of: Mapping[int, int | None], groups: Collection[int]
) -> dict[int, int | None]:
    """Each case's group after people joined, moved or regrouped (`group_of`: person -> group;
    `groups`: the groups that exist now).

    A case follows its case-giver; one case per group (the earliest stays, a later one waits,
    unplaced, until its giver is moved to a group without a case). A case without a case-giver
    stays with its group while the group exists. Carried cases only follow their giver: a
    follow-up never takes a group's place.
    """
    placed: dict[int, int | None] = {}
    taken: set[int] = set()
    ordered = sorted(cases, key=lambda c: c.id)
    for case in ordered:
        if case.carried and case.giver is not None:
            placed[case.id] = group_of.get(case.giver)
        elif case.carried:  # given to a group by the facilitator, for its case-giver to claim
            placed[case.id] = case.group if case.group in groups else None
    regular = [c for c in ordered if not c.carried]
    # First the cases that can stay where they are, then the rest in the order they were written.
    for case in regular:
        here = case.group
        stays = here in groups and (case.giver is None or group_of.get(case.giver) == here)
        if stays and here is not None and here not in taken:
            placed[case.id] = here
            taken.add(here)
    for case in regular:
        if case.id in placed:
            continue
        target = group_of.get(case.giver) if case.giver is not None else None
        if target is not None and target not in taken:
            placed[case.id] = target
            taken.add(target)
        else:
            placed[case.id] = None
    return placed


# Consent: what leaves the group ------------------------------------------------------------------


@dataclass(frozen=True)
class Shared:
    """The part of a case that may reach the summary, exports, reviewers and Tendenser."""

    duties: tuple[str, ...]
    advice: str
    title: str = ""  # only when the case itself is shared
    brief: str = ""


def shared(
    share: Share, duties: Iterable[str], advice: str, title: str, brief: str
) -> Shared | None:
    """What the case-giver let out; None when nothing may leave (the default)."""
    if share is Share.NOTHING:
        return None
    if share is Share.ADVICE:
        return Shared(tuple(duties), advice)
    return Shared(tuple(duties), advice, title, brief)
