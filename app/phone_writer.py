"""The phones' messages written in a process of their own.

A crowd's burst (a thousand group answers at once) is the writer's apply and replies and the event
loop's frames, both in one interpreter: one core's worth. Here the phone messages' batches are
written and answered by a second process, with its own interpreter, engine and templates; the
serving process only moves messages and replies. It pays where a core is free: on 2 cores shared
with a thousand phones' clients the p95 fell by 6-40 % (bench/RESULTS.md). It writes
through the same app.writer.write, so a batch is still one transaction, each reply is rendered
after its commit, and the acknowledgement still means stored. Commands (the facilitator's buttons)
stay with the serving process's own writer; the two take turns at the database's write lock, as
several workers' writers do.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from multiprocessing.connection import wait
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from app import room, web
from app.commands.messages import Page, PhoneMessage
from app.config import Settings
from app.db import connect
from app.hub import Event
from app.library import Duty
from app.live_rules import Shown
from app.writer import Job, write

_engine: Engine | None = None  # the writing process's own


# One message's outcome from the writing process: answered (or refused with), its events, and
# what its reply showed of the group's answer.
Written = tuple[bool, Any, list[Event], Shown | None]


def _start(settings: Settings, duties: Mapping[str, Duty], threshold: int) -> None:
    """In the writing process, once: its engine (the serving process has migrated) and the
    templates' configuration."""
    global _engine
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops this
    _engine = connect(settings)
    web.configure(duties, threshold)
    room.PRESENCE["window"] = timedelta(minutes=settings.presence_minutes)  # as app.main sets it
    web.compile_live()
    gc.freeze()
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_outlive_not, args=(parent.sentinel,), daemon=True).start()


def _outlive_not(parent: int) -> None:
    """A server killed outright (SIGKILL, out of memory) leaves no writer behind holding the
    database: the pool's queues keep this process waiting forever otherwise."""
    wait([parent])
    os._exit(1)


def _write(batch: list[tuple[Page, dict[str, Any]]]) -> list[Written]:
    """In the writing process: one batch, as app.writer.write writes it."""
    assert _engine is not None
    jobs = [PhoneMessage(page, message) for page, message in batch]
    answers = write(_engine, list[Job[Any]](jobs))
    return [
        (ok, value, job.events, job.page.answer_shown)
        for job, (ok, value) in zip(jobs, answers, strict=True)
    ]


class PhoneWriter:
    """Runs app.writer's batches of phone messages in the writing process."""

    def __init__(self, settings: Settings, duties: Mapping[str, Duty], threshold: int) -> None:
        self.start = (settings, duties, threshold)
        self.pool = self._pool()

    def _pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=self.start,
        )

    async def __call__(self, jobs: list[Job[Any]]) -> list[tuple[bool, Any]]:
        messages = [job for job in jobs if isinstance(job, PhoneMessage)]
        assert len(messages) == len(jobs), "only phone messages are written in the process"
        batch = [(Page.of(job.page), job.message) for job in messages]
        loop = asyncio.get_running_loop()
        try:
            written = await loop.run_in_executor(self.pool, _write, batch)
        except BrokenProcessPool as exc:
            # The writing process died: whether the batch was stored is unknown, so nothing is
            # answered; the pages resend (their ids make a stored one answered, not applied again).
            self.pool = self._pool()
            raise OperationalError("phone writer", None, exc) from exc
        answers: list[tuple[bool, Any]] = []
        for job, (ok, value, events, shown) in zip(messages, written, strict=True):
            job.events = events
            job.page.answer_shown = shown
            answers.append((ok, value))
        return answers

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    async def warm(self) -> None:
        """Starts the writing process now (imports, engine, templates), not on a crowd's first
        message: the pool starts its process with the first job, and this one does nothing."""
        await asyncio.get_running_loop().run_in_executor(self.pool, int)
