"""The writer's batch on a real database (SQLite and PostgreSQL): jobs that promise to refuse
before they stage anything are applied without savepoints and flushed together; when one breaks
that promise, or the batch's flush fails, the batch is written again with a savepoint per job,
so each refusal still undoes only its own job and the others are stored once. A trickle reaching
a busy writer is gathered into one batch; a quiet room's message is written at once."""

from __future__ import annotations

import asyncio
import gc
import sys
import weakref
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session as Db
from sqlmodel import col, select

from app import writer
from app.hub import Event
from app.hub.memory import MemoryHub
from app.models import User
from app.writer import Writer, write


class AddAccount:
    """A job adding one account; `refuse` says when it refuses: 'first' (before staging, as it
    promised), 'late' (after staging: it broke its promise)."""

    checks_first = True

    def __init__(self, name: str, refuse: str = "") -> None:
        self.name, self.refuse = name, refuse
        self.events: list[Event] = []
        self.applied = 0
        self.session: weakref.ref[Db] | None = None
        self.batch: object = None  # the same object for the jobs of one batch

    def apply(self, db: Db) -> None:
        self.applied += 1
        self.session = weakref.ref(db)
        self.batch = db.info.setdefault("test.batch", object())
        if self.refuse == "first":
            raise ValueError(f"{self.name} refused first")
        db.add(User(username=self.name, password_hash=""))
        if self.refuse == "late":
            raise ValueError(f"{self.name} refused late")

    def answer(self, _db: Db, error: Exception | None) -> str:
        return f"{self.name}: {error or 'stored'}"


def accounts(engine: Engine, prefix: str) -> list[str]:
    with Db(engine) as db:
        names = db.exec(select(User.username).where(col(User.username).startswith(prefix)))
        return sorted(names)


def results(answers: list[tuple[bool, Any]]) -> list[str]:
    return [value if ok else f"failed: {value}" for ok, value in answers]


def test_refusals_that_stage_nothing_keep_the_batch_in_one_pass(engine: Engine) -> None:
    jobs = [AddAccount("t-a"), AddAccount("t-b", refuse="first"), AddAccount("t-c")]
    assert results(write(engine, jobs)) == ["t-a: stored", "t-b: t-b refused first", "t-c: stored"]
    assert accounts(engine, "t-") == ["t-a", "t-c"]
    assert [job.applied for job in jobs] == [1, 1, 1]  # no second pass


def test_a_refusal_after_staging_undoes_only_its_own_job(engine: Engine) -> None:
    jobs = [AddAccount("s-a"), AddAccount("s-b", refuse="late"), AddAccount("s-c")]
    assert results(write(engine, jobs)) == ["s-a: stored", "s-b: s-b refused late", "s-c: stored"]
    assert accounts(engine, "s-") == ["s-a", "s-c"]


def test_a_failing_flush_fails_only_the_job_that_caused_it(engine: Engine) -> None:
    write(engine, [AddAccount("f-taken")])
    jobs = [AddAccount("f-a"), AddAccount("f-taken"), AddAccount("f-c")]
    stored, clash, third = results(write(engine, jobs))
    assert (stored, third) == ("f-a: stored", "f-c: stored")
    assert clash.startswith("f-taken: ") and ("unique" in clash.lower() or "duplicate" in clash)
    assert accounts(engine, "f-") == ["f-a", "f-c", "f-taken"]


@pytest.mark.parametrize("refuse", ["first", "late"])
def test_a_batch_with_answered_refusals_is_freed_when_it_is_done(
    engine: Engine, refuse: str
) -> None:
    """A crowd's group answer refuses most of its saves: a refusal kept with its traceback held
    the batch's session and every row it read until the garbage collector came round."""
    jobs = [AddAccount(f"g{refuse}-a"), AddAccount(f"g{refuse}-b", refuse=refuse)]
    gc.collect()
    gc.disable()  # only reference counting frees what the batch made
    try:
        answers = results(write(engine, jobs))
        assert answers[1] == f"g{refuse}-b: g{refuse}-b refused {refuse}"
        assert jobs[1].session is not None and jobs[1].session() is None
    finally:
        gc.enable()


def test_a_trickle_to_a_busy_writer_is_gathered_into_one_batch(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Votes spread over seconds: each arrives alone, just after the last batch. The writer waits
    a moment for the next instead of paying a batch's fixed part for each one."""
    monkeypatch.setattr(writer, "BUSY", 60.0)  # however slow this machine, the room is busy

    async def trickle() -> list[AddAccount]:
        line = Writer(engine, MemoryHub())
        first, second, third = AddAccount("b-1"), AddAccount("b-2"), AddAccount("b-3")
        assert await line.submit(first) == "b-1: stored"
        sent = asyncio.create_task(line.submit(second))
        await asyncio.sleep(0)  # the second is taken, alone
        await asyncio.sleep(0)
        assert await line.submit(third) == "b-3: stored"
        assert await sent == "b-2: stored"
        await line.aclose()
        return [first, second, third]

    first, second, third = asyncio.run(trickle())
    assert second.batch is third.batch is not first.batch
    assert accounts(engine, "b-") == ["b-1", "b-2", "b-3"]


def test_a_quiet_rooms_message_is_written_without_waiting(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first message, and one after a quiet spell, find no batch just before them: no wait
    (a wait would take the minute set here, and the answers 5 s at most)."""
    monkeypatch.setattr(writer, "GATHER", 60.0)
    monkeypatch.setattr(writer, "BUSY", 0.05)

    async def quiet() -> None:
        line = Writer(engine, MemoryHub())
        assert await asyncio.wait_for(line.submit(AddAccount("q-1")), 5) == "q-1: stored"
        await asyncio.sleep(0.1)  # longer than BUSY: the room has gone quiet
        assert await asyncio.wait_for(line.submit(AddAccount("q-2")), 5) == "q-2: stored"
        await line.aclose()

    asyncio.run(quiet())
    assert accounts(engine, "q-") == ["q-1", "q-2"]


class SeesSwitching(AddAccount):
    """Records the interpreter's switch interval while applied (the write lock held) and while
    answered (after the commit)."""

    def apply(self, db: Db) -> None:
        self.applying = sys.getswitchinterval()
        super().apply(db)

    def answer(self, db: Db, error: Exception | None) -> str:
        self.answering = sys.getswitchinterval()
        return super().answer(db, error)


def test_the_writer_takes_the_interpreter_back_quickly_only_while_it_holds_the_lock(
    engine: Engine,
) -> None:
    usual = sys.getswitchinterval()
    jobs = [SeesSwitching("switch-a"), SeesSwitching("switch-b", refuse="late")]
    assert results(write(engine, list(jobs))) == [
        "switch-a: stored",
        "switch-b: switch-b refused late",
    ]
    assert [job.applying for job in jobs] == [writer.HELD_SWITCH] * 2
    assert [job.answering for job in jobs] == [usual] * 2
    assert sys.getswitchinterval() == usual  # also after a batch written again with savepoints


def test_two_writes_at_once_leave_the_usual_switch_interval_behind() -> None:
    # A command line's write beside a server's writer: the first out must not restore the usual
    # interval under the second, nor the second restore the first's 1 ms for good.
    usual = sys.getswitchinterval()
    first, second = writer._switching_often(), writer._switching_often()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert sys.getswitchinterval() == writer.HELD_SWITCH  # the second still holds the lock
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == usual
