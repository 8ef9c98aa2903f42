"""Build the anonymised Summary of an ended session and render it (JSON is the reference format)."""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field

from sqlmodel import Session as Db
from sqlmodel import col, select

from app.domain import tally
from app.domain.anonymise import scrub
from app.models import GroupAnswer, Participant, Session, SessionCase, Vote

SCHEMA = "sparring.summary/1"


@dataclass
class OptionResult:
    key: str
    text: str
    before: str  # counts as strings: small ones are masked as "<3"
    after: str


@dataclass
class Move:
    from_option: str
    to_option: str
    count: str


@dataclass
class GroupResult:
    label: str
    option: str
    reasoning: str


@dataclass
class CaseSummary:
    position: int
    title: str
    duty: str
    question: str
    voters_before: str
    voters_after: str
    options: list[OptionResult]
    changed: str
    moves: list[Move]
    group_answers: list[GroupResult]


@dataclass
class Summary:
    schema: str
    title: str
    format: str
    date: str
    participants: str
    groups: int
    threshold: int
    cases: list[CaseSummary] = field(default_factory=list)


def build(db: Db, session: Session, threshold: int) -> Summary:
    """Counts below the threshold are masked; group texts are scrubbed, renumbered and shuffled."""
    people = list(db.exec(select(Participant).where(Participant.session_id == session.id)))
    aliases = [p.alias for p in people if p.alias]
    rng = random.Random()  # a fresh order each export: nothing maps back to a table
    cases = db.exec(
        select(SessionCase)
        .where(SessionCase.session_id == session.id)
        .order_by(col(SessionCase.position))
    )
    out = Summary(
        schema=SCHEMA,
        title=scrub(session.title, aliases),
        format=session.format,
        date=session.created_at.date().isoformat(),
        participants=tally.masked(len(people), threshold),
        groups=len({p.group_id for p in people if p.group_id is not None}),
        threshold=threshold,
    )
    for case in cases:
        rounds: dict[int, dict[int, str]] = {1: {}, 2: {}}
        for vote in db.exec(select(Vote).where(Vote.session_case_id == case.id)):
            rounds[vote.round][vote.participant_id] = vote.option
        keys = tally.option_keys(len(case.options))
        before, after = (
            tally.split(list(rounds[1].values()), keys),
            tally.split(list(rounds[2].values()), keys),
        )
        moved = tally.shift(rounds[1], rounds[2])
        answers = [
            a
            for a in db.exec(select(GroupAnswer).where(GroupAnswer.session_case_id == case.id))
            if a.version and a.members >= threshold
        ]
        rng.shuffle(answers)
        out.cases.append(
            CaseSummary(
                position=case.position + 1,
                title=case.title,
                duty=case.duty,
                question=case.question,
                voters_before=tally.masked(len(rounds[1]), threshold),
                voters_after=tally.masked(len(rounds[2]), threshold),
                options=[
                    OptionResult(
                        k,
                        text,
                        tally.masked(before[k], threshold),
                        tally.masked(after[k], threshold),
                    )
                    for k, text in zip(keys, case.options, strict=True)
                ],
                changed=tally.masked(moved.changed, threshold),
                moves=[Move(a, b, tally.masked(n, threshold)) for (a, b), n in moved.moves.items()],
                group_answers=[
                    GroupResult(f"Gruppe {i}", a.option, scrub(a.text, aliases))
                    for i, a in enumerate(answers, 1)
                ],
            )
        )
    return out


def to_json(summary: Summary) -> str:
    return json.dumps(asdict(summary), ensure_ascii=False, indent=2)


def to_markdown(summary: Summary) -> str:
    lines = [
        f"# {summary.title}",
        "",
        f"Dato: {summary.date} · Deltagere: {summary.participants} · Grupper: {summary.groups}",
        "",
        f"Anonym opsummering: ingen navne; tal under {summary.threshold} vises som <{summary.threshold}.",
    ]
    for case in summary.cases:
        lines += [
            "",
            f"## {case.position}. {case.title}",
            "",
            f"Pligt: {case.duty}",
            "",
            f"**{case.question}**",
            "",
        ]
        lines += ["| Mulighed | Før drøftelse | Efter drøftelse |", "|---|---|---|"]
        lines += [f"| {o.key}. {o.text} | {o.before} | {o.after} |" for o in case.options]
        lines += [
            "",
            f"Stemmer før: {case.voters_before} · efter: {case.voters_after} · skiftede: {case.changed}",
        ]
        if case.moves:
            lines.append(
                "Skift: "
                + ", ".join(f"{m.from_option} → {m.to_option}: {m.count}" for m in case.moves)
            )
        if case.group_answers:
            lines += ["", "### Gruppernes svar", ""]
            for answer in case.group_answers:
                reasoning = " ".join(answer.reasoning.split())
                lines.append(f"- **{answer.label}** ({answer.option or '–'}): {reasoning}")
    return "\n".join(lines) + "\n"
