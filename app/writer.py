"""The process's one writer: writes waiting together are applied in one transaction, one commit.

Phone messages and joins come in crowds. Each waiting job is applied under its own SAVEPOINT (a
refusal undoes only that job), the batch commits once (one fsync for the lot), and only then is any
job answered and its events published: an acknowledgement still means stored. While one batch is
written, the next one gathers.

The writer also owns the process's write turn. An HTTP request that changes state takes the turn
(app.deps) before its transaction takes the database's write lock, so a request waiting to write
waits here, on the event loop, and never holds a worker thread that the lock's holder may need.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlmodel import Session as Db

from app.db import write_connection
from app.hub import Event, Hub, session_channel

R = TypeVar("R", covariant=True)
BATCH = 500  # jobs per transaction at most: the first in a batch waits for all of them


class Job(Protocol[R]):
    """One write. `events` are published after the commit (once per batch, duplicates dropped).

    A job's class may also have `prepare(db, jobs)`: reads for all its jobs in the batch at once,
    before any is applied (one query instead of one per job).
    """

    events: list[Event]

    def apply(self, db: Db) -> None:
        """Stage and commit the effect (db.commit() releases this job's savepoint); raise to refuse."""

    def answer(self, db: Db, error: Exception | None) -> R:
        """The reply, from what the transaction now holds; `error` is what apply raised, if anything.

        Runs before the batch commits, but the reply is only handed over after the commit.
        """


@dataclass
class _Line:
    """The queue, the turn and the task that drains them, on one event loop."""

    queue: asyncio.Queue[tuple[Job[Any], asyncio.Future[Any]]] = field(
        default_factory=asyncio.Queue
    )
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    task: asyncio.Task[None] | None = None


class Writer:
    def __init__(self, engine: Engine, hub: Hub) -> None:
        self.engine = engine
        self.hub = hub
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="writer")
        # A server runs one event loop; a test client may run one per request (asyncio's queues
        # and locks belong to one loop). The one thread writes for them all.
        self.lines: WeakKeyDictionary[asyncio.AbstractEventLoop, _Line] = WeakKeyDictionary()

    def _line(self) -> _Line:
        return self.lines.setdefault(asyncio.get_running_loop(), _Line())

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """This process's only right to write, held by a batch or by one state-changing request."""
        async with self._line().lock:
            yield

    async def submit(self, job: Job[R]) -> R:
        """Apply the job with whatever else is waiting; its answer once the batch is committed.

        Never from a request that holds the write turn (one with a db handle that changes state):
        the batch would wait for that turn, and the request for the batch.
        """
        line = self._line()
        if line.task is None or line.task.done():
            line.task = asyncio.create_task(self.run(line))
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        line.queue.put_nowait((job, done))
        return await done

    async def run(self, line: _Line) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await line.queue.get()]
            while len(batch) < BATCH and not line.queue.empty():
                batch.append(line.queue.get_nowait())
            jobs = [job for job, _ in batch]
            try:
                async with line.lock:
                    answers = await loop.run_in_executor(self.thread, self.write, jobs)
            except Exception as exc:  # the transaction failed: nothing in it was stored
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            try:
                for event in _unique(e for job in jobs for e in job.events):
                    await self.hub.publish(session_channel(event["session"]), event)
            except Exception as exc:  # stored, but the room was not told: its pages reconnect
                answers = [(False, exc)] * len(batch)
            for (_, done), (ok, value) in zip(batch, answers, strict=True):
                if done.done():
                    continue  # its page went away meanwhile
                if ok:
                    done.set_result(value)
                else:
                    done.set_exception(value)

    def write(self, jobs: list[Job[Any]]) -> list[tuple[bool, Any]]:
        """One transaction: each job under a savepoint, every answer, then the one commit."""
        with write_connection(self.engine) as connection:
            # Session.commit() in a job releases its savepoint; the connection commits the batch.
            with Db(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            ) as db:
                for kind in dict.fromkeys(type(job) for job in jobs):
                    prepare = getattr(kind, "prepare", None)
                    if prepare is not None:
                        prepare(db, [job for job in jobs if type(job) is kind])
                errors: list[Exception | None] = []
                for job in jobs:
                    try:
                        job.apply(db)
                        db.commit()
                        errors.append(None)
                    except Exception as exc:  # this job's effect is undone, the others stay
                        db.rollback()
                        job.events = []
                        errors.append(exc)
                answers: list[tuple[bool, Any]] = []
                for job, error in zip(jobs, errors, strict=True):
                    try:
                        answers.append((True, job.answer(db, error)))
                    except Exception as exc:
                        answers.append((False, exc))
                db.commit()
            connection.commit()
        return answers

    async def aclose(self) -> None:
        line = self.lines.get(asyncio.get_running_loop())
        if line is not None and line.task is not None:
            line.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await line.task
        self.thread.shutdown(wait=True)


def _unique(events: Iterable[Event]) -> list[Event]:
    """A batch of 300 votes says "votes changed" once: the pages reload the room anyway."""
    return list(
        {json.dumps(event, sort_keys=True, default=str): event for event in events}.values()
    )
