"""Phone messages carry a client id: applied at most once, a resend acknowledged again."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from typing import Any

from sqlmodel import Session as Db
from sqlmodel import col, select

from app.db import among
from app.domain import RuleError
from app.models import Participant, ProcessedMessage, new_row

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
NOT_PART_OF_CONTENT = ("id", "HEADERS")  # htmx adds HEADERS; they vary between resends


def message_id(message: dict[str, Any]) -> str:
    value = message.get("id")
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise RuleError("message.no_id")
    return value


def digest(message: dict[str, Any]) -> str:
    content = {k: v for k, v in message.items() if k not in NOT_PART_OF_CONTENT}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


RECALLED = "inbox.recalled"  # db.info: (participant, id) -> its earlier processing or None
_BY_ID = select(ProcessedMessage).where(among(col(ProcessedMessage.message_id), "ids"))


def recall(db: Db, pairs: list[tuple[int, str]]) -> None:
    """Look up the ids of a whole batch of messages at once: already_done then asks no more.

    An id that comes twice in the batch (a resend on a second socket) is left to already_done:
    by the time the second is applied, the first has been stored, or refused and undone.
    """
    once = [pair for pair, n in Counter(pairs).items() if n == 1]
    # By id alone (ids are random, so this is one look-up each): asked by participant and id
    # too, SQLite tried every participant with every id, 500 x 500 for a crowd's batch (170 ms).
    rows = db.exec(_BY_ID, params={"ids": list({m for _, m in once})})
    found = {(row.participant_id, row.message_id): row for row in rows}
    db.info[RECALLED] = {pair: found.get(pair) for pair in once}


def already_done(db: Db, person: Participant, mid: str, content: str) -> ProcessedMessage | None:
    """The earlier processing of this id, or None; the same id with other content is refused."""
    recalled: dict[tuple[int | None, str], ProcessedMessage | None] = db.info.get(RECALLED, {})
    if (person.id, mid) in recalled:
        row = recalled[person.id, mid]
    else:
        row = db.exec(
            select(ProcessedMessage).where(
                ProcessedMessage.participant_id == person.id, ProcessedMessage.message_id == mid
            )
        ).first()
    if row is not None and row.digest != content:
        raise RuleError("message.id_reused")
    return row


def remember(db: Db, person: Participant, mid: str, content: str) -> None:
    """Stage the id in db's transaction: it is committed together with the message's effect."""
    assert person.id is not None
    db.add(new_row(ProcessedMessage, participant_id=person.id, message_id=mid, digest=content))
