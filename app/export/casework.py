"""The summary's kollegasparring section (own cases): only what each case-giver let out.

Kept apart from the vote-based part (app/export/build.py): a session with own cases has no votes,
so it has no vote tables; what it has is, per shared case, the duties in play, the advice and, when
the case-giver shared it, the anonymised case; and for the session, which duties came up how often.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping

from sqlmodel import Session as Db
from sqlmodel import col, func, select

from app.domain import casework
from app.domain.anonymise import scrub
from app.export.summary import DutyCount, SharedCase, Summary
from app.models import GroupAnswer, GroupCase, Participant, Session, SessionCase


def add_section(
    db: Db,
    session: Session,
    summary: Summary,
    threshold: int,
    duty_names: Mapping[str, str],
    aliases: list[str],
    rng: random.Random,
) -> None:
    """Fill the own-cases part of the summary; nothing a case-giver kept in the group."""
    summary.own_cases = True
    summary.cases = []  # the round every group ran is no case of its own: no vote tables
    rows = list(
        db.exec(
            select(GroupCase).where(GroupCase.session_id == session.id).order_by(col(GroupCase.id))
        )
    )
    carried = casework.Origin.CARRIED
    run = [r for r in rows if r.origin != carried and r.group_id is not None and r.giver_id]
    summary.cases_run = len(run)
    summary.follow_ups = sum(1 for r in rows if r.origin == carried and r.follow_up.strip())
    round_ids = select(SessionCase.id).where(SessionCase.session_id == session.id)
    advice = {
        a.group_id: a
        for a in db.exec(select(GroupAnswer).where(col(GroupAnswer.session_case_id).in_(round_ids)))
    }
    shared: list[SharedCase] = []
    for row in run:
        answer = advice.get(row.group_id) if row.group_id is not None else None
        text = answer.text if answer and answer.version and not answer.hidden else ""
        part = casework.shared(casework.Share(row.share), row.duties, text, row.title, row.brief)
        small = _members(db, row.group_id) < threshold
        # The advice, like every group answer: only if every version of it was written while the
        # group had at least the threshold of members (`members` is the smallest size at a save).
        small = small or (answer is not None and answer.version > 0 and answer.members < threshold)
        if part is None or small:
            continue  # kept in the group, or a group too small to stay anonymous
        shared.append(
            SharedCase(
                number=0,
                duties=list(part.duties),
                duty_names=[duty_names.get(d, d) for d in part.duties],
                advice=scrub(part.advice, aliases),
                title=scrub(part.title, aliases),
                brief=scrub(part.brief, aliases),
            )
        )
    rng.shuffle(shared)  # numbers follow the shuffled order: nothing maps back to a group
    for number, case in enumerate(shared, 1):
        case.number = number
    summary.shared_cases = shared
    counts = Counter(d for case in shared for d in case.duties)
    order = [*duty_names, *sorted(set(counts) - set(duty_names))]
    summary.duties_in_play = [
        DutyCount(duty=d, name=duty_names.get(d, d), cases=counts[d]) for d in order if counts[d]
    ]


def _members(db: Db, group_id: int | None) -> int:
    return db.exec(
        select(func.count()).select_from(Participant).where(Participant.group_id == group_id)
    ).one()
