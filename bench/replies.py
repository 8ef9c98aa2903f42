"""What a phone's reply to its own message costs to render, as the writer renders it after a crowd.

    .venv/bin/python bench/replies.py [--phones 1000] [--loops 7]

A 1,000-phone room in groups of four votes with reasons and then saves every group's answer at
once (bench/writer.py's room and bursts, one writer batch of 500 at a time). Then every phone's
reply is rendered from the room as the batch left it, as app.commands.messages does: the phone's
own rows (app.room.own_room) and views.phone_reply: a vote's reply (its form and the flash), a
group answer's for the group's winner (its form) and for a refused one (the form's base moved to
the saved version, shown beside the draft the phone keeps).
Prints microseconds per reply: the minimum and the median of `--loops` passes over every phone,
each pass from a fresh copy of the room (nothing rendered in an earlier pass is reused).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from writer import (  # noqa: E402
    answers,
    burst,
    loaded_room,
    per_person,
    room,
    to,
    votes,
)

from app import i18n, views  # noqa: E402
from app.commands.messages import ACKS, REFUSED_ANSWER  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.models import Participant  # noqa: E402
from app.room import Room  # noqa: E402

Facts = Callable[[Participant], dict[str, Any]]  # a reply's facts, for the phone it answers
REPLIES: dict[str, tuple[tuple[str, ...], Facts]] = {
    "vote (with a reason)": (ACKS["vote"], lambda _: {"notice": "Din stemme (A) er gemt."}),
    "group answer, the winner": (
        ACKS["answer"],
        lambda _: {"ack": True, "notice": "Gemt (version 1)."},
    ),
    "group answer, refused": (REFUSED_ANSWER, lambda _: {"conflict": True}),
}


def per_reply(loaded: Room, names: tuple[str, ...], facts: Facts, loops: int) -> list[float]:
    def reply(batch: Room, person: Participant) -> str:
        return views.phone_reply(batch, person, names, msg="0" * 32, **facts(person))

    return per_person(loaded, reply, loops)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--loops", type=int, default=7)
    args = parser.parse_args()
    engine = make_engine(Settings(data_dir=Path(tempfile.mkdtemp(prefix="sparring-replies-"))))
    to_answers = (
        True  # the vote's reply is rendered in the vote, the answer's after the crowd's save
    )
    code, who, case, pages, _ = room(engine, args.phones)
    to(engine, code, who, "vote")
    burst(engine, votes(pages, case, True), 500)
    i18n.current.set("da")
    print(f"\n{args.phones} phones in groups of four; µs per reply, min / median of {args.loops}")
    print("| reply | µs |")
    print("|---|---|")
    for name, (names, facts) in REPLIES.items():
        if names != ACKS["vote"] and to_answers:
            to(engine, code, who, "discuss")
            to(engine, code, who, "group_answer")
            burst(engine, answers(pages, case), 500)
            to_answers = False
        passes = per_reply(loaded_room(engine, pages[0].session_id), names, facts, args.loops)
        print(f"| {name} | {min(passes):.0f} / {statistics.median(passes):.0f} |")
    engine.dispose()


if __name__ == "__main__":
    main()
