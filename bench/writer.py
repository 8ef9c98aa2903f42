"""The writer alone: a whole case's bursts applied in-process, no sockets, no event loop.

    .venv/bin/python bench/writer.py [--phones 1000] [--postgres] [--profile FILE] [--rounds 3]
                                     [--batch 500] [--alone-first]

bench/run measures what a phone sees; this measures what one batch costs the writer's thread
(app.writer.write: prepare, apply, flush and commit, answer), per job, for the steps whose
phones wait on it: votes with reasons, every phone saving its group's answer at once, a revote.
Jobs are taken in batches of app.writer.BATCH as the writer takes a crowd arriving at once
(`--batch 5`: as it takes a trickle, a few at a time). Each
step is played on a fresh room `--rounds` times; the figures are per round (ms per job, and the
whole step) and, as medians, the parts in PhoneMessage.apply and .answer. The garbage collector is
set as in a server (its pauses are part of a batch's cost). `--profile FILE`
writes cProfile's statistics of the last round of each step. `--postgres`: a fresh database on
SPARRING_TEST_POSTGRES (default postgres@127.0.0.1:5432), dropped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session as Db  # noqa: E402

from app import library  # noqa: E402
from app.cli import add_user, collect_as_a_server  # noqa: E402
from app.commands import control, phone, sessions  # noqa: E402
from app.commands.messages import Page, PhoneMessage  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.models import Participant, Session, User  # noqa: E402
from app.room import Room, load_room  # noqa: E402
from app.writer import BATCH, run_alone, write  # noqa: E402

REASON = (
    "Jeg vægter lovligheden højest her, fordi borgerens retssikkerhed går forud for hensynet til "
    "effektiviteten, men jeg forstår godt dem, der vil tale med direktøren først om sagen."
)


def room(engine: Engine, phones: int) -> tuple[str, User, int, list[Page], float]:
    """A started session with `phones` joined phones in groups of four, at its vote; and the
    seconds its start took (one job: every phone put in a group)."""
    with Db(engine) as db:
        lib, _ = library.seed_library(db, ROOT / "seed")
        slug = next(c.slug for c in lib.cases if len(c.options) >= 4)
        who = add_user(db, f"bench-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex, "facilitator")
        db.commit()
        db.refresh(who)
    plan = sessions.Plan(title="Writer bench", slugs=[slug], group_size=4, format="dilemma")
    code = run_alone(engine, sessions.create, who, plan)
    for n in range(phones):
        run_alone(engine, phone.join, code, f"Telefon {n}", "", None)
    started = time.perf_counter()
    run_alone(engine, control.start, code, who)
    started = time.perf_counter() - started
    with Db(engine) as db:
        session = db.exec(text("SELECT id FROM session WHERE code = :c"), params={"c": code}).one()
        people = db.exec(
            text("SELECT id FROM participant WHERE session_id = :s ORDER BY id"),
            params={"s": session[0]},
        ).all()
        case = db.exec(
            text("SELECT id FROM sessioncase WHERE session_id = :s"), params={"s": session[0]}
        ).one()
    return code, who, case[0], [Page(session[0], row[0]) for row in people], started


def loaded_room(engine: Engine, session_id: int) -> Room:
    """The whole room as the feed reads it after an event."""
    with Db(engine) as db:
        session = db.get(Session, session_id)
        assert session is not None
        return load_room(db, session)


def per_person(
    loaded: Room, render: Callable[[Room, Participant], object], loops: int
) -> list[float]:
    """Microseconds per person of `render` over every person, one figure per pass; each pass from
    a fresh copy of the room (nothing rendered in an earlier pass is reused)."""
    passes = []
    for _ in range(loops):
        fresh = replace(loaded)
        started = time.perf_counter()
        for person in fresh.participants:
            render(fresh, person)
        passes.append((time.perf_counter() - started) / len(fresh.participants) * 1e6)
    return passes


def to(engine: Engine, code: str, who: User, phase: str) -> None:
    run_alone(engine, control.change_phase, code, who, phase, True)


class Split:
    """Seconds spent in PhoneMessage.apply and .answer (the rest: prepare, savepoints, commit)."""

    apply = answer = 0.0

    @classmethod
    def install(cls) -> None:
        for name in ("apply", "answer"):
            original = getattr(PhoneMessage, name)

            def timed(self: PhoneMessage, *args: object, _f=original, _n=name) -> object:
                started = time.perf_counter()
                try:
                    return _f(self, *args)
                finally:
                    setattr(cls, _n, getattr(cls, _n) + time.perf_counter() - started)

            setattr(PhoneMessage, name, timed)


def burst(
    engine: Engine,
    messages: list[PhoneMessage],
    batch: int,
    each: list[float] | None = None,
    alone_first: bool = False,
) -> float:
    """Every message as the writer takes a crowd: `batch` at a time (the first alone, as a quiet
    server's writer takes it, with `alone_first`); seconds for them all (and each batch's ms per
    message in `each`)."""
    started = time.perf_counter()
    head = messages[:1] if alone_first else []
    rest = messages[len(head) :]
    chunks = [head] if head else []
    chunks += [rest[first : first + batch] for first in range(0, len(rest), batch)]
    for jobs in chunks:
        begun = time.perf_counter()
        answers = write(engine, list(jobs))
        if each is not None:
            each.append(1000 * (time.perf_counter() - begun) / len(jobs))
        lost = [value for ok, value in answers if not ok]
        if lost:
            raise SystemExit(f"refused: {lost[:3]}")
    return time.perf_counter() - started


def votes(pages: list[Page], case: int, reasons: bool) -> list[PhoneMessage]:
    rng = random.Random(7)
    return [
        PhoneMessage(
            page,
            {
                "action": "vote",
                "id": uuid.uuid4().hex,
                "case": case,
                "option": rng.choice("ABCD"),
                "reason": REASON if reasons else "",
            },
        )
        for page in pages
    ]


def answers(pages: list[Page], case: int) -> list[PhoneMessage]:
    """Every phone saves its group's answer from version 0, each in its own words: one per group
    is saved, the rest refused (the same words as the saved ones would be taken as saved)."""
    return [
        PhoneMessage(
            page,
            {
                "action": "answer",
                "id": uuid.uuid4().hex,
                "case": case,
                "option": "ABCD"[(page.participant_id or 0) % 4],
                "text": f"{REASON} ({page.participant_id})",
                "base_version": "0",
            },
        )
        for page in pages
    ]


STEPS = ("vote with reasons", "group answer, all at once", "revote, no reason")


def play(
    engine: Engine,
    phones: int,
    batch: int,
    profile: dict[str, cProfile.Profile] | None,
    batches: dict[str, list[float]],
    alone_first: bool = False,
) -> tuple[list[tuple[float, float, float]], float]:
    """One fresh room through the case; per step: seconds in all, in apply, in answer; and the
    seconds of its start. Each batch's ms per message is added to the step's list in `batches`."""
    code, who, case, pages, started = room(engine, phones)
    to(engine, code, who, "vote")
    seconds: list[tuple[float, float, float]] = []

    def step(name: str, messages: list[PhoneMessage]) -> None:
        spy = cProfile.Profile() if profile is not None else None
        if spy:
            spy.enable()
        Split.apply = Split.answer = 0.0
        each = batches.setdefault(name, [])
        seconds.append(
            (burst(engine, messages, batch, each, alone_first), Split.apply, Split.answer)
        )
        if spy and profile is not None:
            spy.disable()
            profile[name] = spy

    step(STEPS[0], votes(pages, case, True))
    to(engine, code, who, "discuss")
    to(engine, code, who, "group_answer")
    step(STEPS[1], answers(pages, case))
    to(engine, code, who, "reveal")
    to(engine, code, who, "revote")
    step(STEPS[2], votes(pages, case, False))
    return seconds, started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--batch", type=int, default=BATCH, help="messages per batch (a trickle: a few)"
    )
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database")
    parser.add_argument(
        "--alone-first",
        action="store_true",
        help="each burst's first message in a batch of its own, as a quiet server's writer takes it",
    )
    parser.add_argument("--profile", default="", help="cProfile of each step's last round")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sparring-writer-"))
    url = ""
    if args.postgres:
        url = _fresh_postgres()
    settings = Settings(data_dir=folder, database_url=url)
    engine = make_engine(settings)
    collect_as_a_server()  # the collector as a server runs it: its pauses are part of a batch
    Split.install()
    rounds: list[list[tuple[float, float, float]]] = []
    starts: list[float] = []
    profiles: dict[str, cProfile.Profile] = {}
    # Each step's batches over the rounds. At the group answer the first batch holds most groups'
    # first save (saved) and the second mostly refusals: what each kind costs.
    batches: dict[str, list[float]] = {}
    for n in range(args.rounds):
        last = n == args.rounds - 1
        profile = profiles if last and args.profile else None
        seconds, started = play(engine, args.phones, args.batch, profile, batches, args.alone_first)
        rounds.append(seconds)
        starts.append(started)
    db_name = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\n{args.phones} phones, {db_name}, batches of {args.batch}, {args.rounds} rounds")
    print("| step | ms per job, each round | of which apply / answer (median) | step (s) |")
    print("|---|---|---|---|")
    for i, name in enumerate(STEPS):
        ms = [1000 * r[i][0] / args.phones for r in rounds]
        apply, answer = (
            statistics.median(1000 * r[i][k] / args.phones for r in rounds) for k in (1, 2)
        )
        print(
            f"| {name} | {', '.join(f'{m:.2f}' for m in ms)} | {apply:.2f} / {answer:.2f} "
            f"| {', '.join(f'{r[i][0]:.2f}' for r in rounds)} |"
        )
    print(
        f"- the start, every phone put in a group (ms): {', '.join(f'{1000 * t:.0f}' for t in starts)}"
    )
    for name, each in batches.items():
        per_round = len(each) // args.rounds
        if 1 < per_round <= 4:  # a crowd's few batches, not a trickle's hundreds
            nth = [statistics.median(each[n::per_round]) for n in range(per_round)]
            print(
                f"- {name}, each batch (ms per job, median): {', '.join(f'{m:.2f}' for m in nth)}"
            )
    print(f"- load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
    for name, spy in profiles.items():
        out = f"{args.profile}-{'-'.join(name.replace(',', '').split()[:2])}.prof"
        spy.dump_stats(out)
        print(f"- profile of {name}: {out}")
    engine.dispose()
    if args.postgres:
        _drop_postgres(url)


def _drop_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()


def _fresh_postgres() -> str:
    base = os.environ.get("SPARRING_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
    name = f"writer_bench_{uuid.uuid4().hex[:8]}"
    from sqlalchemy import create_engine

    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{base}/{name}"


if __name__ == "__main__":
    main()
