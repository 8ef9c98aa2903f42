"""The rows a batch of phone messages looks up, read once for the whole batch.

A vote, a reason and a group answer each first look up their own row (has this person voted on
this case in this round? has this group answered?). In a batch of 500 votes that was 500 queries
per table, on PostgreSQL a round trip each while the other workers' writers wait for the lock.
`load` reads them for the batch's people and groups in one query per table (app.commands.messages
prepares it); the services then ask here, and query as before for anything not read up front.

What was read holds while only phone messages change rows: they add votes, reasons and answers
only through the functions below, which record what they add (`added`). A row a refused message
added is gone from the session again and is read anew. A job of another kind (a join, a
facilitator's button) may add or move anything: the writer drops these reads before it
(app.writer.PREPARED).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from sqlmodel import Session as Db
from sqlmodel import SQLModel, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from app.db import among
from app.models import GroupAnswer, Participant, Post, Session, SessionCase, Vote
from app.writer import PREPARED

Row = TypeVar("Row", bound=SQLModel)
Key = tuple[Any, ...]
# Built once (app.db.among): the cases' rows of the batch's people and groups.
_VOTES = select(Vote).where(
    among(col(Vote.session_case_id), "cases"), among(col(Vote.participant_id), "people")
)
_POSTS = select(Post).where(
    among(col(Post.session_case_id), "cases"), among(col(Post.participant_id), "people")
)
_ANSWERS = select(GroupAnswer).where(
    among(col(GroupAnswer.session_case_id), "cases"),
    among(col(GroupAnswer.group_id), "groups"),
)
_SIZES = (
    select(Participant.group_id, func.count())
    .where(among(col(Participant.group_id), "groups"))
    .group_by(col(Participant.group_id))
)


def load(
    db: Db,
    sessions: Collection[Session],
    cases: Collection[SessionCase],
    people: Collection[Participant],
    actions: set[str],
) -> None:
    """What the batch's messages (their `actions`) may look up on these cases (their sessions'
    current ones): votes, reasons, group answers and the size of the groups; and the batch's
    sessions, cases and people themselves, for `get`."""
    case_ids = {case.id for case in cases}
    person_ids = {person.id for person in people}
    groups = {person.group_id for person in people if person.group_id is not None}
    ids = {"cases": list(case_ids), "people": list(person_ids), "groups": list(groups)}
    found: dict[Key, Any] = {("row", Session, s.id): s for s in sessions}
    found |= {("row", SessionCase, c.id): c for c in cases}
    found |= {("row", Participant, p.id): p for p in people}
    if "vote" in actions:
        found |= {("vote", c, p, r): None for c in case_ids for p in person_ids for r in (1, 2)}
        for vote in db.exec(_VOTES, params=ids):
            found["vote", vote.session_case_id, vote.participant_id, vote.round] = vote
    if actions & {"vote", "reason"}:
        found |= {("post", c, p): None for c in case_ids for p in person_ids}
        for post in db.exec(_POSTS, params=ids):
            found["post", post.session_case_id, post.participant_id] = post
    if "answer" in actions:
        found |= {("answer", c, g): None for c in case_ids for g in groups}
        for answer in db.exec(_ANSWERS, params=ids):
            found["answer", answer.session_case_id, answer.group_id] = answer
        for group_id, size in db.exec(_SIZES, params=ids):
            found["size", group_id] = size
    db.info[PREPARED] = found


def get(db: Db, kind: type[Row], row_id: object) -> Row | None:
    """db.get, from the rows `load` was given when they are still in the session: a get that finds
    the row in the session still costs SQLAlchemy ~10 µs, three to four per message."""
    row: Row | None = db.info.get(PREPARED, {}).get(("row", kind, row_id))
    if row is not None and row in db:
        return row
    return db.get(kind, row_id)


def vote(db: Db, case_id: int | None, person_id: int | None, round_: int) -> Vote | None:
    return _row(
        db,
        ("vote", case_id, person_id, round_),
        lambda: select(Vote).where(
            Vote.session_case_id == case_id, Vote.participant_id == person_id, Vote.round == round_
        ),
    )


def post(db: Db, case_id: int | None, person_id: int | None) -> Post | None:
    return _row(
        db,
        ("post", case_id, person_id),
        lambda: select(Post).where(
            Post.session_case_id == case_id, Post.participant_id == person_id
        ),
    )


def group_answer(db: Db, case_id: int | None, group_id: int) -> GroupAnswer | None:
    return _row(
        db,
        ("answer", case_id, group_id),
        lambda: select(GroupAnswer).where(
            GroupAnswer.session_case_id == case_id, GroupAnswer.group_id == group_id
        ),
    )


def group_size(db: Db, group_id: int) -> int:
    found = db.info.get(PREPARED, {})
    if ("size", group_id) in found:
        size: int = found["size", group_id]
        return size
    query = select(func.count()).select_from(Participant).where(Participant.group_id == group_id)
    return db.exec(query).one()


def added(db: Db, row: Vote | Post | GroupAnswer) -> None:
    """A row this message adds: the batch's next look-up finds it without a query."""
    found = db.info.get(PREPARED)
    if found is None:
        return
    if isinstance(row, Vote):
        found["vote", row.session_case_id, row.participant_id, row.round] = row
    elif isinstance(row, Post):
        found["post", row.session_case_id, row.participant_id] = row
    else:
        found["answer", row.session_case_id, row.group_id] = row


def _row(db: Db, key: Key, query: Callable[[], SelectOfScalar[Row]]) -> Row | None:
    """The row read up front, else queried (the query is only built then: building costs)."""
    found = db.info.get(PREPARED, {})
    if key in found:
        row: Row | None = found[key]
        if row is None or row in db:  # a refused message's row has left the session
            return row
    return db.exec(query()).first()
