"""The process's one writer: writes waiting together are applied in one transaction, one commit.

Phone messages and joins come in crowds. Each waiting job is applied under its own SAVEPOINT (a
refusal undoes only that job), the batch commits once (one fsync for the lot), and only then is any
job answered and its events published: an acknowledgement still means stored. While one batch is
written, the next one gathers.

It is the process's only way to change data: every change is a command (app.commands) or a job
run here, in one thread, and published here after the commit. HTTP requests read in worker
threads (app.deps) and never write; nothing touches the database on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session as Db

from app.db import reading, write_connection
from app.hub import Event, Hub, published, session_channel

R = TypeVar("R", covariant=True)
T = TypeVar("T")
P = ParamSpec("P")
BATCH = 500  # jobs per transaction at most: the first in a batch waits for all of them
# A busy writer (a batch ended under BUSY s ago) that finds fewer than TRICKLE jobs waiting waits
# GATHER s for more: see Writer.drain.
TRICKLE, BUSY, GATHER = 8, 0.050, 0.010
HELD_SWITCH = 0.001  # the interpreter's switch interval while the write lock is held (see below)
FLUSHES = "writer.flushes"  # db.info: flushes so far (a refusal after one may have written)
PREPARED = "writer.prepared"  # db.info: what a kind's prepare read for its jobs (app.batch_reads)


class Job(Protocol[R]):
    """One write. `events` are published after the commit (once per batch, duplicates dropped).

    A job's class may also have `prepare(db, jobs)`: reads for all its jobs in the batch at once,
    before any is applied (one query instead of one per job), kept in db.info[PREPARED]. They hold
    while jobs of that kind are applied: a job of another kind may change any row, so the writer
    drops them before it.
    """

    events: list[Event]
    # A job whose apply refuses before it stages anything may set `checks_first = True`: it is
    # then applied without a savepoint of its own (see write).

    def apply(self, db: Db) -> None:
        """Stage the effect (never commit: the writer does, for the batch); raise to refuse."""

    def answer(self, db: Db, error: Exception | None) -> R:
        """The reply, from what is stored now; `error` is what apply raised, if anything.

        Runs after the batch's commit, in a read transaction (db holds the batch's rows still).
        """


@dataclass
class Outcome(Generic[T]):
    """What a command did: its value for the caller, and the events that tell the room's pages.

    A command is a plain function of (db, ...) that resolves what it needs, asks the domain,
    changes rows and never commits (app.commands); the writer runs it, commits, then publishes."""

    value: T
    events: list[Event] = field(default_factory=list)


class _Call(Generic[T]):
    """A command as one of the writer's jobs, run in its caller's context (the person's language,
    which words a refusal built on the way, like a case file's)."""

    def __init__(self, command: Callable[..., Outcome[T]], args: Any, kwargs: Any) -> None:
        self.command, self.args, self.kwargs = command, args, kwargs
        self.context = contextvars.copy_context()
        self.outcome: Outcome[T] | None = None
        self.events: list[Event] = []

    def apply(self, db: Db) -> None:
        self.outcome = self.context.run(self.command, db, *self.args, **self.kwargs)
        self.events = self.outcome.events

    def answer(self, _db: Db, error: Exception | None) -> T:
        if error is not None:
            raise error
        assert self.outcome is not None
        return self.outcome.value


@dataclass
class _Line:
    """The queue and the task that drains it, on one event loop."""

    queue: asyncio.Queue[tuple[Job[Any], asyncio.Future[Any]]] = field(
        default_factory=asyncio.Queue
    )
    task: asyncio.Task[None] | None = None


Batches = Callable[[list[Job[Any]]], Awaitable[list[tuple[bool, Any]]]]


class Writer:
    def __init__(self, engine: Engine, hub: Hub, elsewhere: Batches | None = None) -> None:
        """`elsewhere`: writes the batches instead of this process's thread (app.phone_writer)."""
        self.engine = engine
        self.hub = hub
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="writer")
        self.elsewhere = elsewhere
        # A server runs one event loop; a test client may run one per request (asyncio's queues
        # belong to one loop). The one thread writes for them all.
        self.lines: WeakKeyDictionary[asyncio.AbstractEventLoop, _Line] = WeakKeyDictionary()

    def _line(self) -> _Line:
        # Not setdefault(loop, _Line()): that built a queue per message, a thousand at a burst.
        loop = asyncio.get_running_loop()
        line = self.lines.get(loop)
        if line is None:
            line = self.lines[loop] = _Line()
        return line

    async def submit(self, job: Job[R]) -> R:
        """Apply the job with whatever else is waiting; its answer once the batch is committed."""
        line = self._line()
        if line.task is None or line.task.done():
            line.task = asyncio.create_task(self.drain(line))
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        line.queue.put_nowait((job, done))
        return await done

    async def run(
        self,
        command: Callable[Concatenate[Db, P], Outcome[T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run one command with whatever else is waiting; its value once committed and published.
        A refusal (the command raised) is raised here, nothing of it stored."""
        return await self.submit(_Call(command, args, kwargs))

    async def drain(self, line: _Line) -> None:
        loop = asyncio.get_running_loop()
        ended = float("-inf")  # when the last batch was written (the loop's clock)
        while True:
            batch = [await line.queue.get()]
            if line.queue.qsize() < TRICKLE - 1 and loop.time() - ended < BUSY:
                # A crowd's votes spread over seconds reach a busy writer one or two at a time,
                # and a batch's fixed part (its reads, the replies' room, the commit) made a lone
                # vote cost ten times its share of a crowd's batch. A moment's wait lets the next
                # ones join; a quiet room's message (no batch just before) is written at once.
                await asyncio.sleep(GATHER)
            while len(batch) < BATCH and not line.queue.empty():
                batch.append(line.queue.get_nowait())
            jobs = [job for job, _ in batch]
            try:
                if self.elsewhere is not None:
                    answers = await self.elsewhere(jobs)
                else:
                    answers = await loop.run_in_executor(self.thread, write, self.engine, jobs)
            except Exception as exc:  # the transaction failed: nothing in it was stored
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            finally:
                ended = loop.time()
            try:
                by_session: dict[int, list[Event]] = {}
                for event in _unique(e for job in jobs for e in job.events):
                    by_session.setdefault(event["session"], []).append(event)
                for session, events in by_session.items():
                    await self.hub.publish(session_channel(session), published(session, events))
            except Exception as exc:  # stored, but the room was not told: its pages reconnect
                answers = [(False, exc)] * len(batch)
            for (_, done), (ok, value) in zip(batch, answers, strict=True):
                if done.done():
                    continue  # its page went away meanwhile
                if ok:
                    done.set_result(value)
                else:
                    done.set_exception(value)

    async def aclose(self) -> None:
        line = self.lines.get(asyncio.get_running_loop())
        if line is not None and line.task is not None:
            line.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await line.task
        self.thread.shutdown(wait=True)


def write(engine: Engine, jobs: list[Job[Any]]) -> list[tuple[bool, Any]]:
    """One transaction for the jobs, one commit; then every answer, read after the commit and
    outside the writers' lock (other workers' writers need not wait for them).

    A job that `checks_first` is applied without a savepoint and its rows are flushed with the
    batch's (one INSERT for a crowd's votes, not three round trips per vote). Should one stage
    something and then refuse, or the batch's flush fail, the batch is written again with every
    job under its own savepoint: a refusal still undoes only its own job."""
    try:
        return _write(engine, jobs, trusting=True)
    except _Untrusted:
        return _write(engine, jobs, trusting=False)


class _Untrusted(Exception):
    """A job applied without a savepoint staged rows and refused, or the batch's flush failed."""


def _write(engine: Engine, jobs: list[Job[Any]], trusting: bool) -> list[tuple[bool, Any]]:
    with (
        write_connection(engine) as connection,
        Db(bind=connection, expire_on_commit=False) as db,
    ):
        with _switching_often():
            errors = _apply_all(db, jobs, trusting)
            connection.commit()
        reading(connection)
        answers: list[tuple[bool, Any]] = []
        for job, error in zip(jobs, errors, strict=True):
            try:
                answers.append((True, job.answer(db, error)))
            except Exception as exc:
                answers.append((False, exc))
            else:
                _answered(error)
    return answers


def _apply_all(db: Db, jobs: list[Job[Any]], trusting: bool) -> list[Exception | None]:
    """Every job applied and the batch flushed; what each refused with, if anything."""
    event.listen(db, "after_flush", _flushed)
    kinds = [kind for kind in dict.fromkeys(map(type, jobs)) if hasattr(kind, "prepare")]
    for kind in kinds:
        kind.prepare(db, [job for job in jobs if type(job) is kind])
    errors: list[Exception | None] = []
    trusted = False
    for job in jobs:
        if type(job) not in kinds:
            db.info.pop(PREPARED, None)
        if trusting and getattr(job, "checks_first", False):
            trusted = True
            errors.append(_apply_trusted(db, job))
            continue
        savepoint = db.begin_nested()
        try:
            job.apply(db)
            savepoint.commit()
            errors.append(None)
        except Exception as exc:  # this job's effect is undone, the others stay
            savepoint.rollback()
            job.events = []
            errors.append(exc)
    try:
        db.commit()
    except SQLAlchemyError as exc:
        if trusted:
            raise _Untrusted() from exc
        raise
    return errors


@dataclass
class _Holders:
    """The threads holding the write lock now, and the switch interval from before the first."""

    count: int = 0
    usual: float = 0.0
    guard: threading.Lock = field(default_factory=threading.Lock)


_holders = _Holders()


@contextlib.contextmanager
def _switching_often() -> Iterator[None]:
    """While this thread holds the database's write lock, every other worker's writer waits. Each
    statement lets go of the interpreter's lock for its round trip, and a busy event loop kept it
    for up to the switch interval (5 ms) before the writer had it back, a dozen times a batch, while
    three workers' writers took turns (bench/RESULTS.md). Until the commit the interpreter switches
    threads every HELD_SWITCH s; the answers are rendered after it, at the usual interval. The
    interval is the process's: with writes in two threads at once (a command line's run_alone
    beside a server's writer), the first in saves it and the last out restores it."""
    with _holders.guard:
        if _holders.count == 0:
            _holders.usual = sys.getswitchinterval()
            sys.setswitchinterval(HELD_SWITCH)
        _holders.count += 1
    try:
        yield
    finally:
        with _holders.guard:
            _holders.count -= 1
            if _holders.count == 0:
                sys.setswitchinterval(_holders.usual)


def _apply_trusted(db: Db, job: Job[Any]) -> Exception | None:
    before = _staged(db)
    try:
        job.apply(db)
    except Exception as exc:
        if isinstance(exc, SQLAlchemyError) or _staged(db) != before:
            raise _Untrusted() from exc
        job.events = []
        return exc
    return None


def _answered(refusal: Exception | None) -> None:
    """A refusal its job has answered lets go of its traceback: the traceback's frames reach back
    to this batch's (the refusals, the session and every row it read), a cycle that only the
    garbage collector frees, ~750 of them at a crowd's group answer."""
    if refusal is not None:
        refusal.__traceback__ = None


def _flushed(db: Db, _context: object) -> None:
    db.info[FLUSHES] = db.info.get(FLUSHES, 0) + 1


def _staged(db: Db) -> tuple[int, ...]:
    """How much the session holds to write (SQLAlchemy's own sets behind Session.new, .dirty and
    .deleted, counted without building them) and how often it has flushed."""
    flushes: int = db.info.get(FLUSHES, 0)
    return len(db._new), len(db.identity_map._modified), len(db._deleted), flushes


def run_alone(
    engine: Engine,
    command: Callable[Concatenate[Db, P], Outcome[T]],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """A command in a transaction of its own, outside a serving process (command line, start-up,
    before the writer runs): nobody is listening, so its events go nowhere."""
    job = _Call(command, args, kwargs)
    ok, value = write(engine, [job])[0]
    if not ok:
        raise value
    result: T = value
    return result


def _unique(events: Iterable[Event]) -> list[Event]:
    """A batch of 300 votes says "votes changed" once: the pages reload the room anyway."""
    return list(
        {json.dumps(event, sort_keys=True, default=str): event for event in events}.values()
    )
