"""Build the Summary from a session's raw rows: mask small counts, scrub and shuffle free text."""

from __future__ import annotations

import random
from collections.abc import Mapping

from pydantic import BaseModel
from sqlmodel import Session as Db
from sqlmodel import col, select

from app.domain import disclosure, insight, tally
from app.domain.anonymise import scrub
from app.export import casework
from app.export.summary import (
    CaseSummary,
    DutyMark,
    DutySummary,
    GroupResult,
    Move,
    OptionResult,
    Summary,
)
from app.models import GroupAnswer, Participant, Session, SessionCase, Vote


def build(
    db: Db,
    session: Session,
    threshold: int,
    duty_names: Mapping[str, str],
    rng: random.Random | None = None,
) -> Summary:
    """Counts below the threshold are masked; group texts are scrubbed, renumbered and shuffled.

    Closing notes are added later to the stored summary (app/summaries.py), not built here.
    """
    rng = rng or random.Random()
    people = list(db.exec(select(Participant).where(Participant.session_id == session.id)))
    aliases = [p.alias for p in people if p.alias]
    cases = db.exec(
        select(SessionCase)
        .where(SessionCase.session_id == session.id)
        .order_by(col(SessionCase.position))
    )
    summary = Summary(
        title=scrub(session.title, aliases),
        format=session.format,
        date=session.created_at.date().isoformat(),
        participants=tally.masked(len(people), threshold),
        groups=len({p.group_id for p in people if p.group_id is not None}),
        threshold=threshold,
    )
    summary.cases = [
        _case(db, case, len(people), threshold, aliases, duty_names, rng) for case in cases
    ]
    if session.group_cases:  # kollegasparring with own cases: its own section, no votes
        casework.add_section(db, session, summary, threshold, duty_names, aliases, rng)
    summary.duties = duties(summary.cases, duty_names)
    scrub_texts(summary, aliases)
    return summary


# Fields that are not typed by people (slugs, letters, counts, seed names): left as they are.
# Every other text anywhere in the summary, including fields added later, is scrubbed.
STRUCTURE = frozenset(
    {"schema_", "format", "date", "duty", "duty_name", "name", "key", "from_option", "to_option"}
    | {"option", "label", "before", "after", "count", "people", "groups", "participants"}
    | {"voters_before", "voters_after", "compared", "changed", "difficulty_answers"}
)


def scrub_texts(part: BaseModel, aliases: list[str]) -> None:
    """Scrub every free text in a summary (or a part of one) in place (app/domain/anonymise.py)."""
    for field, value in part:
        if field in STRUCTURE:
            continue
        if isinstance(value, str):
            setattr(part, field, scrub(value, aliases))
        elif isinstance(value, BaseModel):
            scrub_texts(value, aliases)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    scrub_texts(item, aliases)


def _case(
    db: Db,
    case: SessionCase,
    people: int,
    threshold: int,
    aliases: list[str],
    duty_names: Mapping[str, str],
    rng: random.Random,
) -> CaseSummary:
    rounds: dict[int, dict[int, str]] = {1: {}, 2: {}}
    marks: list[str] = []
    ratings: list[int] = []
    for vote in db.exec(select(Vote).where(Vote.session_case_id == case.id)):
        rounds[vote.round][vote.participant_id] = vote.option
        if vote.round == 1 and vote.duty:
            marks.append(vote.duty)
        if vote.difficulty:
            ratings.append(vote.difficulty)
    keys = tally.option_keys(len(case.options))
    shown = disclosure.figures(people, rounds[1], rounds[2], keys, threshold)
    answers = [
        a
        for a in db.exec(select(GroupAnswer).where(GroupAnswer.session_case_id == case.id))
        if a.version and a.members >= threshold and not a.hidden
    ]
    rng.shuffle(answers)  # labels follow the shuffled order: nothing maps back to a table
    difficulty, rated = disclosure.difficulty(ratings, people, threshold)
    return CaseSummary(
        position=case.position + 1,
        title=scrub(case.title, aliases),  # a promoted own dilemma's title is typed in the room
        duty=case.duty,
        duty_name=duty_names.get(case.duty, case.duty),
        secondary_duties=list(case.secondary_duties),
        question=scrub(case.question, aliases),
        voters_before=shown.voters_before,
        voters_after=shown.voters_after,
        options=[
            OptionResult(key=k, text=text, before=b, after=a)
            for k, text, b, a in zip(keys, case.options, shown.before, shown.after, strict=True)
        ],
        compared=shown.compared,
        changed=shown.changed,
        moves=[Move(from_option=a, to_option=b, count=n) for a, b, n in shown.moves],
        shift=shown.shift,
        disagreement_before=shown.disagreement_before,
        disagreement_after=shown.disagreement_after,
        group_answers=[
            GroupResult(label=f"Gruppe {i}", option=a.option, reasoning=scrub(a.text, aliases))
            for i, a in enumerate(answers, 1)
        ],
        heaviest_duty=_marks(
            marks,
            [a.duty for a in answers if a.duty],
            duty_names,
            shown.first_printed,
            threshold,
        ),
        difficulty=difficulty,
        difficulty_answers=rated,
    )


def _marks(
    people: list[str],
    groups: list[str],
    duty_names: Mapping[str, str],
    round_printed: bool,
    threshold: int,
) -> list[DutyMark]:
    """The duty split in kodeks order (unknown slugs last). People's marks are printed only when
    none is small (disclosure.marks); withheld, only the duties groups marked are listed, so the
    list itself says nothing about who marked what."""
    order = [*duty_names, *sorted(set(people + groups) - set(duty_names))]
    by_people, by_groups = tally.split(people, order), tally.split(groups, order)
    shown = disclosure.marks(by_people, round_printed, threshold)
    listed = by_groups if any(n == disclosure.HIDDEN for n in shown.values()) else by_people
    return [
        DutyMark(
            duty=slug,
            name=duty_names.get(slug, slug),
            people=shown[slug],
            groups=str(by_groups[slug]),
        )
        for slug in order
        if listed[slug] or by_groups[slug]
    ]


def duties(cases: list[CaseSummary], duty_names: Mapping[str, str]) -> list[DutySummary]:
    """Per duty the session touched: mean disagreement and shift, and where the room moved most."""
    out: list[DutySummary] = []
    touched = [(c, [c.duty, *c.secondary_duties]) for c in cases]
    for duty in dict.fromkeys(d for _, slugs in touched for d in slugs):
        mine = [c for c, slugs in touched if duty in slugs]
        moved = [c for c in mine if c.shift is not None]
        out.append(
            DutySummary(
                duty=duty,
                name=duty_names.get(duty, duty),
                cases=[c.position for c in mine],
                disagreement=insight.mean(c.disagreement_before for c in mine),
                shift=insight.mean(c.shift for c in mine),
                most_moved_case=max(moved, key=lambda c: c.shift or 0).position if moved else None,
            )
        )
    return out
