"""A feed's re-read per event, in-process: what a page's room costs to bring up to date after a
group's reason, a vote or a group's answer, and what the first render asks of it then.

    .venv/bin/python bench/feed_events.py [--phones 3000] [--events 300]

A room of `--phones` phones (SQLite in a temporary folder, groups of four, every phone voted with
a reason and every group answered), loaded once as app.feed loads it; then each kind of event is
applied `--events` times, each time to the room the last one left (as the feed does), followed
by the look-ups a render makes first (a person, a group's members and number). Prints CPU
microseconds per event, the database reads included. At 3,000 phones per worker these run once
per event in every worker.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import Session as Db  # noqa: E402

from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.models import Session  # noqa: E402
from app.room import Room, load_room, with_answers, with_posts, with_votes  # noqa: E402
from app.writer import BATCH  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from writer import answers, burst, room, to, votes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=3000)
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(Settings(data_dir=Path(folder)))
        code, who, case, pages, _ = room(engine, args.phones)
        to(engine, code, who, "vote")
        burst(engine, votes(pages, case, reasons=True), BATCH)
        to(engine, code, who, "group_answer")
        burst(engine, answers(pages, case), BATCH)
        with Db(engine) as db:
            session = db.get(Session, pages[0].session_id)
            assert session is not None
            start = load_room(db, session)
            group = start.participants[0].group_id
            kinds: dict[str, Callable[[Room], Room]] = {
                "reason (one group)": lambda r: with_posts(db, r, {group}),
                "group answer (one group)": lambda r: with_answers(db, r, {group}),
                "vote": lambda r: with_votes(db, r),
            }
            print(f"{args.phones} phones, {args.events} events of each kind, SQLite")
            print("| event | CPU µs per event |\n|---|---|")
            for name, event in kinds.items():
                current, person = start, start.participants[-1]
                began = time.process_time()
                for _ in range(args.events):
                    current = event(current)
                    current.person(person.id)
                    current.members(person.group_id)
                    current.group_number(person.group_id)
                spent = (time.process_time() - began) / args.events
                print(f"| {name} | {spent * 1e6:,.0f} |")


if __name__ == "__main__":
    main()
