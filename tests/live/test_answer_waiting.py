"""A phone whose save of the group's answer waits behind another's is shown the winner once.

At a crowd's group answer every phone of a group saves at once; one save wins, the others are
refused as stale and their replies show the saved version beside the phone's own text. A phone
whose save was still with the writer when the winner's change was pushed got the winner twice:
the push, then its own reply (~440 of 1,450 messages at 1,000 phones on one worker, more on
several). Two replicas make it happen on purpose: the test holds the writers' lock
(app.db.WRITE_LOCK) until both saves wait for it, one on each worker.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from app.db import WRITE_LOCK
from tests.utils.clients import Facilitator, Phone
from tests.utils.postgres import postgres_missing
from tests.utils.redis import redis_missing
from tests.utils.server import FACILITATOR, two_replicas

pytestmark = pytest.mark.skipif(
    bool(postgres_missing() or redis_missing()),
    reason=postgres_missing() or redis_missing() or "PostgreSQL and Redis are here",
)

WINNER = "Vi går til direktøren, før vi svarer borgeren"
LOSER = "Vi svarer borgeren i dag og fortæller direktøren det bagefter"


def test_a_save_that_waited_behind_the_winner_gets_the_winner_once(tmp_path: Path) -> None:
    # No presence beat in the test's second: the writers' only jobs are the two saves.
    with two_replicas(tmp_path, {"SPARRING_PRESENCE_BEAT_SECONDS": "3600"}) as (a, b):
        asyncio.run(_scenario(a.url, b.url, a.env["SPARRING_DATABASE_URL"]))


async def _scenario(on_a: str, on_b: str, database: str) -> None:
    fac = Facilitator(on_a)
    fac.login(*FACILITATOR)
    code = fac.create_session("Svar i kø", ["kl-01-spareoevelsen"], group_size=3)
    first, other = Phone(on_a, alias="Person 0"), Phone(on_a, alias="Person 2")
    second = Phone(on_b, alias="Person 1")
    for phone in (first, second, other):
        await phone.join(code)
    tab = Phone(on_b)  # the second person's other tab, on the same worker: not saving
    tab.cookie = second.cookie
    await tab.connect()
    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="group_answer") == ""
    for page in (first, second, other, tab):
        await page.shows("phone-stage", "Gruppens begrundelse")
    assert len({phone.group() for phone in (first, second, other)}) == 1
    case = first.case_id()

    before = len(second.received)
    with writers_held(database) as lock:
        won = await first.send(_answer(case, "B", WINNER))
        await _waiting(lock, 1)  # the first worker's writer waits with the first save
        lost = await second.send(_answer(case, "C", LOSER))
        await _waiting(lock, 2)  # and the second's with the second: it waits behind the first

    for phone, mid, shown in ((first, won, "version 1"), (second, lost, 'class="conflict"')):
        await phone.until(
            lambda _page, p=phone, m=mid, s=shown: any(m in r and s in r for r in p.received),
            what=f"the reply to {mid}: {shown}",
        )
    for page in (other, tab):  # the winner pushed to the group's pages that were not saving
        await page.shows("group-answer-current", WINNER)
    # The phone's form stays (its draft in it), based now on the saved version shown beside it.
    form = second.page.html("answer-form")
    assert 'class="conflict"' in form and 'name="base_version" value="1"' in form, form
    assert WINNER in second.page.text("group-answer-current")

    # A message sent now is answered after anything queued for the second phone so far (the
    # tab's push went out in the same round as the second's would have).
    probe = await second.send({"action": "no-such-action"})
    await second.until(lambda _page: probe in second.received[-1], what="the probe's answer")
    after = second.received[before:]
    # The group's answer once, in the reply: the winner's push held for it was not sent after it.
    shown = [message[:160] for message in after if 'id="group-answer-current"' in message]
    assert len(shown) == 1, shown
    for page in (first, second, other, tab):
        await page.aclose()


def _answer(case: str, option: str, text: str) -> dict[str, object]:
    return {"action": "answer", "case": case, "option": option, "text": text, "base_version": 0}


@contextmanager
def writers_held(database: str) -> Iterator[Connection]:
    """The writers' lock held by this connection until the block ends (every worker's writes
    wait for it, in the order they came)."""
    engine = create_engine(database, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": WRITE_LOCK})
            try:
                yield connection
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": WRITE_LOCK})
    finally:
        engine.dispose()


async def _waiting(connection: Connection, writers: int, timeout: float = 10.0) -> None:
    """Until `writers` other connections wait for an advisory lock (the writers' lock)."""
    deadline = time.monotonic() + timeout
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
    )
    while connection.execute(waiting).scalar_one() < writers:
        assert time.monotonic() < deadline, f"{writers} writers never waited for the lock"
        await asyncio.sleep(0.01)
