"""The read side: one snapshot of a session (the room) that every audience's view renders from."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session as Db
from sqlmodel import col, func, select

from app import i18n
from app.db import among
from app.domain import casework, gate, grouping, phases, presence, reveal, tally, visibility
from app.domain.phases import Format, Phase, Status
from app.i18n import named
from app.models import (
    Group,
    GroupAnswer,
    GroupCase,
    LibraryCase,
    Participant,
    Post,
    Session,
    SessionCase,
    Submission,
    Vote,
    utcnow,
)

_T = TypeVar("_T")

# How long a phone may go unseen and still count as present; set from the settings at start-up.
PRESENCE = {"window": presence.WINDOW}


def present_ids(people: Iterable[Participant]) -> frozenset[int]:
    """The ids of the people present now (app/domain/presence.py)."""
    return present_of((p.id, p.seen_at, p.left_at) for p in people)


def present_of(
    rows: Iterable[tuple[int | None, datetime | None, datetime | None]],
) -> frozenset[int]:
    """The same from (id, seen_at, left_at) rows."""
    now, window = utcnow(), PRESENCE["window"]
    return frozenset(
        pid
        for pid, seen_at, left_at in rows
        if pid is not None and presence.is_present(seen_at, left_at, now, window)
    )


@dataclass
class Room:
    session: Session
    cases: list[SessionCase]
    groups: list[Group]  # active groups, by number
    participants: list[Participant]
    votes: dict[int, dict[int, str]] = field(default_factory=dict)  # round -> participant -> option
    duties: dict[int, dict[int, str]] = field(default_factory=dict)  # round -> participant -> duty
    difficulty: dict[int, int] = field(default_factory=dict)  # participant -> 1-5 (revote)
    posts: dict[int, str] = field(default_factory=dict)  # participant -> text (current case)
    post_rows: dict[int, PostRow] = field(default_factory=dict)  # participant -> row (moderation)
    answers: dict[int, GroupAnswer] = field(default_factory=dict)  # group -> answer (current case)
    submissions: int = 0  # participants' own dilemmas waiting for moderation (kollegasparring)
    group_cases: list[GroupCase] = field(default_factory=list)  # own cases: every group's, by id
    givers: dict[int, Participant] = field(default_factory=dict)  # their case-givers, by id
    # What the facilitator may give a group without a case: submitted dilemmas, library cases.
    offers: list[Submission] = field(default_factory=list)
    library: list[tuple[str, str]] = field(default_factory=list)  # (slug, title)
    present: frozenset[int] = frozenset()  # participants present when the room was loaded
    # Parts of views rendered from this room that every phone shares (app.views.shared); a room
    # made anew by dataclasses.replace starts empty (not an init field).
    rendered: dict[tuple[Any, ...], str] = field(default_factory=dict, init=False, repr=False)

    @property
    def status(self) -> Status:
        return Status(self.session.status)

    @property
    def current(self) -> SessionCase | None:
        pos = self.session.position
        return self.cases[pos] if 0 <= pos < len(self.cases) else None

    @property
    def more_cases(self) -> bool:
        """A case after the current one is planned (else the closed one was the last)."""
        return phases.has_next_case(self.session.position, len(self.cases))

    @property
    def phase(self) -> Phase | None:
        case = self.current
        return Phase(case.phase) if case is not None and self.status is Status.RUNNING else None

    @property
    def format(self) -> Format:
        return Format(self.session.format)

    @property
    def phases(self) -> tuple[Phase, ...]:
        """The current case's sequence (the stepper's buttons)."""
        case = self.current
        if case is None:
            return ()
        return phases.sequence(
            self.format, bool(case.options), self.session.group_cases, self.follow_ups
        )

    # Kollegasparring with own cases: each group's case, confidential to the group. ---------------

    @property
    def own_cases(self) -> bool:
        return self.session.group_cases

    @property
    def follow_ups(self) -> bool:
        return any(c.origin == casework.Origin.CARRIED for c in self.group_cases)

    def case_of(self, group_id: int | None) -> GroupCase | None:
        """The group's own case this meeting (not a follow-up of the last one)."""
        if group_id is None:
            return None
        return next(
            (
                c
                for c in self.group_cases
                if c.group_id == group_id and c.origin != casework.Origin.CARRIED
            ),
            None,
        )

    def facts(self, row: GroupCase) -> casework.CaseFacts:
        return casework.CaseFacts(
            id=row.id or 0,
            group=row.group_id,
            giver=row.giver_id,
            origin=casework.Origin(row.origin),
            done_phase=row.done_phase,
            advice=self.has_answered(row.group_id),
            closed=row.closed,
        )

    def giver(self, row: GroupCase) -> Participant | None:
        """The case's case-giver (also in a room loaded for one phone's own reply)."""
        return self.person(row.giver_id) or self.givers.get(row.giver_id or 0)

    def case_for(self, person: Participant) -> GroupCase | None:
        """The case this phone may show: its group's (app/domain/casework decides)."""
        row = self.case_of(person.group_id)
        if row is None or not casework.phone_sees_case(person.group_id, person.id, self.facts(row)):
            return None
        return row

    def own_case(self, person: Participant) -> GroupCase | None:
        """The case this person typed (in the lobby, or waiting for a group without a case)."""
        return next(
            (
                c
                for c in self.group_cases
                if c.giver_id == person.id and c.origin == casework.Origin.OWN
            ),
            None,
        )

    def carried_by(self, person: Participant) -> list[GroupCase]:
        return [
            c
            for c in self.group_cases
            if c.origin == casework.Origin.CARRIED and c.giver_id == person.id
        ]

    def unclaimed_in(self, group_id: int | None) -> list[GroupCase]:
        """Open cases the facilitator gave this group for their case-giver (on a new phone)."""
        return [c for c in self.carried_in(group_id) if c.giver_id is None]

    @property
    def unfound(self) -> list[GroupCase]:
        return [
            c
            for c in self.group_cases
            if c.origin == casework.Origin.CARRIED and c.giver_id is None
        ]

    def carried_in(self, group_id: int | None) -> list[GroupCase]:
        return [
            c
            for c in self.group_cases
            if c.origin == casework.Origin.CARRIED and group_id and c.group_id == group_id
        ]

    def role(self, person: Participant) -> casework.Role:
        row = self.case_of(person.group_id)
        return casework.role(person.id, self.facts(row) if row else None)

    def shown_role(self, person: Participant) -> casework.Role:
        """The part this phone plays now (in the follow-up: whoever carried a case tells)."""
        return casework.shown_role(self.phase, self.role(person), bool(self.carried_by(person)))

    def may_ask(self, person: Participant) -> bool:
        return casework.may_ask(self.phase, self.role(person))

    def may_mark_duty(self, person: Participant) -> bool:
        return casework.may_mark_duty(self.status, self.phase, self.role(person))

    @property
    def following_up(self) -> bool:
        """The groups hear what happened to the last meeting's open cases."""
        return self.phase is Phase.FOLLOW_UP

    @property
    def follow_up_open(self) -> bool:
        return casework.follow_up_open(self.status, self.phase)

    @property
    def writing_open(self) -> bool:
        return casework.writing_open(self.phase)

    @property
    def duties_shown(self) -> bool:
        return casework.duties_shown(self.phase)

    @property
    def marks_case_ready(self) -> bool:
        return casework.marks_case_ready(self.phase)

    @property
    def closing(self) -> bool:
        return casework.closing(self.phase)

    def task(self, person: Participant) -> str:
        """This phone's task in the current step, worded for its role."""
        row = self.case_of(person.group_id)
        who = self.shown_role(person)
        key = casework.task(
            self.phase, who, row is not None, row is not None and row.giver_id is not None
        )
        return i18n.gettext(named.TASKS[key]) if key else ""

    def step_done(self, group_id: int | None) -> bool:
        if self.phase is Phase.FOLLOW_UP:
            carried = self.carried_in(group_id)
            row = self.case_of(group_id)
            marks = [c.done_phase for c in carried] + ([row.done_phase] if row else [])
            return Phase.FOLLOW_UP in marks or (bool(carried) and all(c.follow_up for c in carried))
        row = self.case_of(group_id)
        return casework.step_done(self.phase, self.facts(row) if row else None)

    @property
    def progress_label(self) -> str:
        """ "of 3 groups are ready" for the current step (after the count of those done)."""
        if self.phase is None:
            return ""
        return i18n.ngettext(*named.PROGRESS[self.phase], len(self.answering_groups))

    @property
    def groups_done(self) -> int:
        return sum(1 for g in self.answering_groups if self.step_done(g.id))

    @property
    def waiting_cases(self) -> list[GroupCase]:
        """Own cases without a group (its group had one already), for the facilitator."""
        return [
            c for c in self.group_cases if c.group_id is None and c.origin == casework.Origin.OWN
        ]

    @property
    def groups_without_case(self) -> list[Group]:
        return [g for g in self.groups if self.case_of(g.id) is None]

    def facilitator_sees(self, row: GroupCase) -> bool:
        return casework.facilitator_sees_text(casework.Origin(row.origin))

    @property
    def unfound_follow_ups(self) -> int:
        return len(self.unfound)

    @property
    def next_phase(self) -> Phase | None:
        """The phase "Næste fase" moves to (none after the case is closed)."""
        phase = self.phase
        return phases.next_phase(phase, self.phases) if phase and phase != Phase.CLOSED else None

    @property
    def steps(self) -> tuple[Phase, ...]:
        """The steps the projector lists (closed ends the case; it is not a step)."""
        return phases.steps(self.phases)

    @property
    def at_first_phase(self) -> bool:
        return phases.first_phase(self.phase, self.phases)

    @property
    def gate_ahead(self) -> bool:
        """ "Next" would reveal: the control page's next action is the reveal gate."""
        phase, target = self.phase, self.next_phase
        return phase is not None and target is not None and gate.gated(self.phases, phase, target)

    @property
    def next_action(self) -> str:
        """The control page's one next action: "next_case" or "end" once the case is closed,
        "reveal" at the gate, else "phase" (on to the next phase)."""
        if self.case_closed:
            return "next_case" if self.more_cases else "end"
        return "reveal" if self.gate_ahead else "phase"

    # Which step the room is in, named for what people do in it. -----------------------------

    @property
    def presenting(self) -> bool:
        return self.phase is Phase.PRESENT

    @property
    def clarifying(self) -> bool:
        return self.phase is Phase.CLARIFY

    @property
    def answering(self) -> bool:
        """The groups agree on and write their answer (kollegasparring's advice)."""
        return self.phase is Phase.GROUP_ANSWER

    @property
    def case_closed(self) -> bool:
        return self.phase is Phase.CLOSED

    @property
    def case_unfolded(self) -> bool:
        return visibility.case_unfolded(self.phase)

    @property
    def projector_shows_case(self) -> bool:
        return visibility.projector_shows_case(self.phase)

    def label(self, phase: Phase) -> str:
        return i18n.phase_name(phase, self.format)

    @property
    def phase_label(self) -> str:
        return self.label(self.phase) if self.phase else ""

    @property
    def step_prompt(self) -> str:
        """Kollegasparring's instruction for the current step (phones and projector)."""
        if self.format is not Format.KOLLEGASPARRING or self.phase is None:
            return ""
        if self.own_cases:
            known = self.phase in phases.OWN_STEPS_WITH_PROMPTS
            return i18n.gettext(named.OWN_STEPS[self.phase]) if known else ""
        return (
            i18n.gettext(named.STEPS[self.phase]) if self.phase in phases.STEPS_WITH_PROMPTS else ""
        )

    @property
    def answer_label(self) -> str:
        return (
            i18n.gettext("Gruppens råd")
            if self.format is Format.KOLLEGASPARRING
            else i18n.gettext("Gruppens svar")
        )

    @property
    def reflecting(self) -> bool:
        """Kollegasparring: what people write alone are reflections, not reasons for a vote."""
        return self.format is Format.KOLLEGASPARRING

    @property
    def talking(self) -> bool:
        """Groups are talking and writing: the discussion, reflection and answer phases."""
        return phases.talking(self.phase)

    @cached_property
    def options(self) -> list[tuple[str, str]]:
        """(key, text) of the current case's options; none in open discussion and kollegasparring.
        Kept: a reply's form asks three times, a thousand replies at a crowd's group answer."""
        case = self.current
        if case is None or self.format is Format.KOLLEGASPARRING:
            return []
        return list(zip(tally.option_keys(len(case.options)), case.options, strict=True))

    @property
    def option_keys(self) -> list[str]:
        return [key for key, _ in self.options]

    @property
    def deadline(self) -> datetime | None:
        case = self.current
        return case.deadline if case is not None else None

    @cached_property
    def people(self) -> dict[int | None, Participant]:
        return {p.id: p for p in self.participants}

    def person(self, participant_id: int | None) -> Participant | None:
        return self.people.get(participant_id)

    # By group, worked out once per room: a view of a thousand phones asks for each group's members
    # and number many times over (the projector's progress took 0.3 s walking them).
    @cached_property
    def _members(self) -> dict[int | None, list[Participant]]:
        members: dict[int | None, list[Participant]] = {}
        for person in self.participants:
            members.setdefault(person.group_id, []).append(person)
        return members

    @cached_property
    def _numbers(self) -> dict[int | None, int]:
        return {g.id: g.number for g in self.groups}

    @cached_property
    def _groups(self) -> dict[int | None, Group]:
        return {g.id: g for g in self.groups}

    def group(self, group_id: int | None) -> Group | None:
        return self._groups.get(group_id)

    def members(self, group_id: int | None) -> list[Participant]:
        return list(self._members.get(group_id, ()))

    def group_number(self, group_id: int | None) -> int | None:
        return self._numbers.get(group_id)

    def group_label(self, group_id: int | None) -> str:
        number = self.group_number(group_id)
        return grouping.group_label(number) if number else ""

    def voted(self, round_: int) -> int:
        return len(self.votes.get(round_, {}))

    # Presence: counts are out of the people present, so a phone that left holds nothing up.
    def is_present(self, participant_id: int | None) -> bool:
        return participant_id in self.present

    @property
    def present_count(self) -> int:
        return len(self.present)

    @property
    def absent(self) -> list[Participant]:
        """People still in the session whose phones have not been seen for a while."""
        return [p for p in self.participants if p.left_at is None and p.id not in self.present]

    @property
    def presence_minutes(self) -> int:
        return max(1, round(PRESENCE["window"].total_seconds() / 60))

    def away_minutes(self, person: Participant) -> int:
        return presence.away_minutes(person.seen_at, utcnow())

    def counted(self, round_: int) -> int:
        """Whom the vote count is out of: present people, and voters who have gone since."""
        return presence.counted(set(self.present), set(self.votes.get(round_, {})))

    def split(self, round_: int) -> dict[str, int]:
        return tally.split(list(self.votes.get(round_, {}).values()), self.option_keys)

    def percentages(self, round_: int) -> dict[str, int]:
        counts = self.split(round_)
        total = sum(counts.values()) or 1
        return {key: round(100 * n / total) for key, n in counts.items()}

    def shift(self) -> tally.Shift:
        return tally.shift(self.votes.get(1, {}), self.votes.get(2, {}))

    def has_answered(self, group_id: int | None) -> bool:
        return self.answer_version(group_id) > 0

    def answer_version(self, group_id: int | None) -> int:
        """The version of the group's answer to the current case (0: none saved yet)."""
        answer = self.answers.get(group_id) if group_id is not None else None
        return answer.version if answer is not None else 0

    @cached_property
    def answering_groups(self) -> list[Group]:
        """Groups that can answer: the active ones with someone present, or that have answered
        (a group whose members all left holds up nobody)."""
        return [
            g
            for g in self.groups
            if self.has_answered(g.id) or any(self.is_present(m.id) for m in self.members(g.id))
        ]

    @cached_property
    def answer_progress(self) -> list[tuple[str, bool]]:
        """(name, has answered) of each group that can answer, worked out once per room: the
        projector's and the control page's lists of 750 groups, pushed ten times a second while
        a crowd saves, asked three things of the room per group in the template (7 ms a push)."""
        return [(self.group_label(g.id), self.has_answered(g.id)) for g in self.answering_groups]

    @property
    def answered_groups(self) -> int:
        return sum(1 for _, done in self.answer_progress if done)

    @property
    def all_answered(self) -> bool:
        return bool(self.answering_groups) and self.answered_groups == len(self.answering_groups)

    @property
    def time_up(self) -> bool:
        return gate.time_up(self.deadline, utcnow())

    @property
    def reveal_open(self) -> bool:
        return gate.reveal_open(len(self.answering_groups), self.answered_groups, self.time_up)

    def duty_split(self, order: Iterable[str], threshold: int = 0) -> list[tuple[str, int, int]]:
        """(duty, people, groups) that marked it heaviest in the first vote, in the given order;
        only groups that had at least `threshold` members at every save count (as in the summary)."""
        slugs = list(order)
        people = tally.split(list(self.duties.get(1, {}).values()), slugs)
        marks = [
            a.duty
            for g, a in self.answers.items()
            if a.version and self.group_number(g) and a.members >= threshold
        ]
        groups = tally.split(marks, slugs)
        return [(s, people[s], groups[s]) for s in slugs if people[s] or groups[s]]

    @property
    def group_sizes(self) -> dict[int, int]:
        """Present members per group: a group of three with one phone gone is a group of two."""
        return {
            g.id: sum(1 for m in self.members(g.id) if self.is_present(m.id))
            for g in self.groups
            if g.id is not None
        }

    @property
    def warnings(self) -> list[str]:
        return [
            i18n.gettext(
                named.WARNINGS[w.kind],
                group=w.group,
                size=w.size,
                people=i18n.ngettext("%(num)s deltager", "%(num)s deltagere", w.size),
                members=i18n.ngettext("%(num)s medlem", "%(num)s medlemmer", w.size),
            )
            for w in grouping.size_warnings(self.group_sizes)
        ]

    # Visibility, asked by the templates so the rules live in one place.
    @property
    def group_texts_visible(self) -> bool:
        return visibility.group_texts_visible(self.phase)

    @property
    def results_visible(self) -> bool:
        return visibility.results_visible(self.phase)

    @property
    def shift_visible(self) -> bool:
        return visibility.shift_visible(self.phase)

    @property
    def perspective_visible(self) -> bool:
        case = self.current
        return bool(case and case.perspective) and visibility.perspective_visible(self.phase)

    # The result on the projector, one part at a time (app/domain/reveal.py).
    @property
    def reveal_pages(self) -> list[reveal.Page]:
        return reveal.pages(
            bool(self.options), len(self.answering_groups), self.perspective_visible
        )

    @property
    def reveal_step(self) -> int:
        case = self.current
        return reveal.clamp(case.reveal_step if case else 0, len(self.reveal_pages))

    @property
    def reveal_page(self) -> reveal.Page:
        return self.reveal_pages[self.reveal_step]

    @property
    def page_groups(self) -> list[Group]:
        """The groups whose answers the current page of answers shows."""
        start = self.reveal_page.number * reveal.ANSWERS_PER_PAGE
        return self.answering_groups[start : start + reveal.ANSWERS_PER_PAGE]

    def page_label(self, page: reveal.Page) -> str:
        label = {
            "split": i18n.gettext("Stemmefordeling"),
            "answers": (
                i18n.gettext("Gruppernes råd")
                if self.format is Format.KOLLEGASPARRING
                else i18n.gettext("Gruppernes svar")
            ),
            "perspective": i18n.gettext("Perspektiv"),
        }[page.kind]
        return f"{label} {page.number + 1}/{page.pages}" if page.pages > 1 else label

    @property
    def phone_results_visible(self) -> bool:
        return visibility.phone_results_visible(self.phase, self.session.results_on_phones)

    # Every group's answer on the phones (app/domain/visibility.py): in a small room each phone's
    # reveal lists them all; in a larger one its own group's, with a link to a page of them all.
    @property
    def phone_all_answers(self) -> bool:
        return visibility.phone_shows_all_answers(len(self.groups))

    @property
    def phone_shows_results(self) -> bool:
        """The phones show the results now (after reveal, not while they revote)."""
        return visibility.phone_shows_results(self.phase, self.session.results_on_phones)

    @property
    def phone_own_answer(self) -> bool:
        """The phones' results hold their own group's answer only (a room above the limit)."""
        return self.phone_shows_results and not self.phone_all_answers

    def own_groups(self, person: Participant) -> list[Group]:
        """The person's group as a list (the answers partial takes a list), or none."""
        return [group] if (group := self.group(person.group_id)) else []

    def answer_page(self, asked: int) -> list[Group]:
        """The groups on one page of the phones' list of every group's answer."""
        shown = visibility.answer_page(asked, len(self.groups))
        return self.groups[shown.start : shown.stop]

    @property
    def vote_round(self) -> int | None:
        return phases.vote_round(self.phase)


# Built once (app.db.among): the session's active groups, or only some of them.
_GROUPS = (
    select(Group)
    .where(Group.session_id == bindparam("session"), col(Group.active))
    .order_by(col(Group.number))
)
_THEIR_GROUPS = _GROUPS.where(among(col(Group.id), "groups"))
_ANSWERS_OF_CASE = select(GroupAnswer).where(GroupAnswer.session_case_id == bindparam("case"))
_ANSWERS_OF_GROUPS = _ANSWERS_OF_CASE.where(among(col(GroupAnswer.group_id), "groups"))


def load_room(db: Db, session: Session, only: Collection[Participant] | None = None) -> Room:
    """Everything the views need for the current case, in a handful of queries.

    `only`: just these phones' own rows (their groups, votes, reasons and group answers; nobody
    else's), all that replies to their own messages need, at any room size; see own_room.
    """
    sid = session.id
    cases = list(
        db.exec(
            select(SessionCase)
            .where(SessionCase.session_id == sid)
            .order_by(col(SessionCase.position))
        )
    )
    people = [p.id for p in only] if only is not None else None
    their_groups = [p.group_id for p in only or () if p.group_id is not None]
    groups = db.exec(
        _GROUPS if only is None else _THEIR_GROUPS, params={"session": sid, "groups": their_groups}
    )
    participants = (
        list(only)
        if only is not None
        else list(
            db.exec(
                select(Participant)
                .where(Participant.session_id == sid)
                .order_by(col(Participant.number))
            )
        )
    )
    room = Room(
        session=session,
        cases=cases,
        groups=list(groups),
        participants=participants,
        present=present_ids(participants),
    )
    case = room.current
    if case is not None:
        _add_votes(room, db, case.id, people)
        _add_posts(room, db, case.id, people)
        answers = _ANSWERS_OF_CASE if only is None else _ANSWERS_OF_GROUPS
        saved = db.exec(answers, params={"case": case.id, "groups": their_groups})
        room.answers = {a.group_id: a for a in saved}
    if session.group_cases:
        room.group_cases = list(
            db.exec(
                select(GroupCase).where(GroupCase.session_id == sid).order_by(col(GroupCase.id))
            )
        )
        ids = [c.giver_id for c in room.group_cases if c.giver_id is not None]
        if only is not None and ids:  # a reply to one phone names the case-giver too
            givers = select(Participant).where(col(Participant.id).in_(ids))
            room.givers = {p.id: p for p in db.exec(givers) if p.id is not None}
    if session.group_cases and only is None and room.status is Status.RUNNING:
        room.offers = list(
            db.exec(
                select(Submission)
                .where(Submission.session_id == sid, Submission.status == "new")
                .order_by(col(Submission.id))
            )
        )
        rows = db.connection().execute(
            sa_select(col(LibraryCase.slug), col(LibraryCase.title))
            .where(col(LibraryCase.archived).is_(False))
            .order_by(col(LibraryCase.case_set), col(LibraryCase.number))
        )
        room.library = [(slug, title) for slug, title in rows]
    if room.format is Format.KOLLEGASPARRING:
        room.submissions = db.exec(
            select(func.count())
            .select_from(Submission)
            .where(Submission.session_id == sid, Submission.status == "new")
        ).one()
    return room


def load_answers(db: Db, session: Session) -> Room:
    """What the phones' page of every group's answer needs: the cases, the groups and the current
    case's answers; nobody's votes, reasons or phones (a room of 3,000 may open it at once)."""
    room = Room(
        session=session,
        cases=list(
            db.exec(
                select(SessionCase)
                .where(SessionCase.session_id == session.id)
                .order_by(col(SessionCase.position))
            )
        ),
        groups=list(
            db.exec(
                select(Group)
                .where(Group.session_id == session.id, col(Group.active))
                .order_by(col(Group.number))
            )
        ),
        participants=[],
    )
    case = room.current
    if case is not None:
        rows = db.exec(select(GroupAnswer).where(GroupAnswer.session_case_id == case.id))
        room.answers = {a.group_id: a for a in rows}
    return room


# What one kind of event changes, re-read into a new room (a render in progress keeps its own). ---

_VOTE = sa_select(
    col(Vote.participant_id),
    col(Vote.round),
    col(Vote.option),
    col(Vote.duty),
    col(Vote.difficulty),
)


# Built once (app.db.among): the case's rows, or only those of some people.
_VOTES_OF_CASE = _VOTE.where(col(Vote.session_case_id) == bindparam("case"))
_VOTES_OF_PEOPLE = _VOTES_OF_CASE.where(among(col(Vote.participant_id), "people"))


def _of(case_id: int | None, people: Collection[int | None] | None) -> dict[str, Any]:
    return {"case": case_id} if people is None else {"case": case_id, "people": list(people)}


def _add_votes(
    room: Room, db: Db, case_id: int | None, people: Collection[int | None] | None = None
) -> None:
    """The case's votes (only these people's, when given) into the room."""
    # Plain rows, not Vote objects: a thousand of them are re-read at every tally push.
    statement = _VOTES_OF_CASE if people is None else _VOTES_OF_PEOPLE
    for participant_id, round_, option, duty, difficulty in db.connection().execute(
        statement, _of(case_id, people)
    ):
        room.votes.setdefault(round_, {})[participant_id] = option
        if duty:
            room.duties.setdefault(round_, {})[participant_id] = duty
        if difficulty:
            room.difficulty[participant_id] = difficulty


class PostRow(NamedTuple):
    """A reason as the views read it: a plain row, not a Post object (a thousand of them are
    re-read whenever a group's reasons change, and ORM objects cost ten times as much)."""

    id: int
    participant_id: int
    text: str
    hidden: bool
    questions: str


_POST = sa_select(
    col(Post.id), col(Post.participant_id), col(Post.text), col(Post.hidden), col(Post.questions)
)


_POSTS_OF_CASE = _POST.where(col(Post.session_case_id) == bindparam("case"))
_POSTS_OF_PEOPLE = _POSTS_OF_CASE.where(among(col(Post.participant_id), "people"))


def _add_posts(
    room: Room, db: Db, case_id: int | None, people: Collection[int | None] | None = None
) -> None:
    """The case's reasons (only these people's, when given) into the room."""
    statement = _POSTS_OF_CASE if people is None else _POSTS_OF_PEOPLE
    for post_id, participant_id, text, hidden, questions in db.connection().execute(
        statement, _of(case_id, people)
    ):
        post = PostRow(post_id or 0, participant_id, text, hidden, questions)
        room.post_rows[post.participant_id] = post
        room.posts[post.participant_id] = post.text


# Worked out from the room's people and groups alone (Room's cached properties): the same in a room
# whose votes, reasons or answers were re-read, where working them out again over 3,000 phones at
# every event cost milliseconds.
_PEOPLE_AND_GROUPS = ("people", "_members", "_numbers", "_groups")


def with_rows(room: Room, **rows: Any) -> Room:
    """The room with other rows of the current case (votes, reasons, answers), same people and groups."""
    assert not rows.keys() & {"participants", "groups"}, "with_newcomers re-reads those"
    fresh = replace(room, **rows)
    for name in _PEOPLE_AND_GROUPS:
        if name in room.__dict__:
            fresh.__dict__[name] = room.__dict__[name]
    return fresh


def with_votes(db: Db, room: Room) -> Room:
    """The room with the current case's votes re-read (all that a vote event changes)."""
    fresh = with_rows(room, votes={}, duties={}, difficulty={})
    case = room.current
    if case is not None:
        _add_votes(fresh, db, case.id)
    return fresh


def with_posts(db: Db, room: Room, groups: Collection[int | None] | None = None) -> Room:
    """The room with the current case's reasons re-read (all that a post event changes): a room
    voting with reasons sends one such event per group per batch, and re-reading the whole room
    for each made a 1,000-phone vote with reasons take tens of seconds to show.

    `groups`: only their members' reasons are re-read (each event names its group): at 3,000
    phones, re-reading every reason at each push took a tenth of every worker."""
    case = room.current
    members = {p.id for g in groups or () for p in room.members(g) if p.id is not None}
    if case is None or groups is None or None in groups or 2 * len(members) > len(room.people):
        fresh = with_rows(room, posts={}, post_rows={})
        if case is not None:
            _add_posts(fresh, db, case.id)
        return fresh
    # Copied whole and the members' rows taken out: a dict copy is one C call, a comprehension
    # over 3,000 reasons at every event was not.
    posts, post_rows = dict(room.posts), dict(room.post_rows)
    for member in members:
        posts.pop(member, None)
        post_rows.pop(member, None)
    fresh = with_rows(room, posts=posts, post_rows=post_rows)
    _add_posts(fresh, db, case.id, members)
    return fresh


def with_answers(db: Db, room: Room, groups: Collection[int | None] | None = None) -> Room:
    """The room with the current case's group answers re-read (all that an answer event changes).

    `groups`: only theirs (each event names its group): at the group answer every group saves at
    once, and re-reading 750 answers as objects at each event was a tenth of every worker."""
    case = room.current
    if case is None:
        return room
    named = {group for group in groups or () if group is not None}
    if groups is None or len(named) < len(groups) or 2 * len(named) > len(room.groups):
        every = db.exec(_ANSWERS_OF_CASE, params={"case": case.id})
        return with_rows(room, answers={a.group_id: a for a in every})
    answers = dict(room.answers)
    for group in named:
        answers.pop(group, None)
    for answer in db.exec(_ANSWERS_OF_GROUPS, params={"case": case.id, "groups": list(named)}):
        answers[answer.group_id] = answer
    return with_rows(room, answers=answers)


def with_newcomers(db: Db, room: Room) -> Room:
    """The room with the people who joined since it was loaded (and the groups they may have
    opened): a join changes nothing else, and a crowd joining must not re-read everyone each time.
    """
    sid = room.session.id
    known = max((p.id for p in room.participants if p.id is not None), default=0)
    newcomers = list(
        db.exec(
            select(Participant)
            .where(Participant.session_id == sid, col(Participant.id) > known)
            .order_by(col(Participant.number))
        )
    )
    groups = select(Group).where(Group.session_id == sid, col(Group.active))
    fresh = replace(
        room,
        participants=[*room.participants, *newcomers],
        present=room.present | present_ids(newcomers),
        groups=list(db.exec(groups.order_by(col(Group.number)))),
        votes={r: dict(v) for r, v in room.votes.items()},
        duties={r: dict(d) for r, d in room.duties.items()},
        difficulty=dict(room.difficulty),
        posts=dict(room.posts),
        post_rows=dict(room.post_rows),
    )
    case = room.current
    ids = [p.id for p in newcomers]
    if case is not None and ids:  # joined elsewhere and already at work (another worker)
        _add_votes(fresh, db, case.id, ids)
        _add_posts(fresh, db, case.id, ids)
    return fresh


def own_room(room: Room, person: Participant) -> Room:
    """One phone's own part of a room loaded for several (load_room's `only`)."""
    pid, gid = person.id, person.group_id

    def mine(rows: dict[int, _T]) -> dict[int, _T]:
        return {pid: rows[pid]} if pid is not None and pid in rows else {}

    return replace(
        room,
        participants=[person],
        groups=room.own_groups(person),
        votes={r: mine(v) for r, v in room.votes.items()},
        duties={r: mine(d) for r, d in room.duties.items()},
        difficulty=mine(room.difficulty),
        posts=mine(room.posts),
        post_rows=mine(room.post_rows),
        answers={gid: room.answers[gid]} if gid in room.answers else {},
    )
