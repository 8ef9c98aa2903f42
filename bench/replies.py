"""What a phone's reply to its own message costs to render, as the writer renders it after a crowd.

    .venv/bin/python bench/replies.py [--phones 1000] [--loops 7]

A 1,000-phone room in groups of four votes with reasons and then saves every group's answer at
once (bench/writer.py's room and bursts, one writer batch of 500 at a time). Then every phone's
reply is rendered from the room as the batch left it, as app.commands.messages does: the phone's
own rows (app.room.own_room) and views.phone_reply: a vote's reply (its form and the flash), a
group answer's for the group's winner and for a refused one (the saved version beside its draft).
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
    REASON,
    answers,
    burst,
    loaded_room,
    per_person,
    room,
    to,
    votes,
)

from app import i18n, views  # noqa: E402
from app.commands.messages import ACKS  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.models import Participant  # noqa: E402
from app.room import Room  # noqa: E402

REFUSED = {"conflict": True, "draft_option": "C", "draft_text": REASON, "draft_duty": ""}
Facts = Callable[[Participant], dict[str, Any]]  # a reply's facts, for the phone it answers
REPLIES: dict[str, tuple[str, Facts]] = {
    "vote (with a reason)": ("vote", lambda _: {"notice": "Din stemme (A) er gemt."}),
    "group answer, the winner": ("answer", lambda _: {"ack": True, "notice": "Gemt (version 1)."}),
    "group answer, refused": ("answer", lambda _: REFUSED),
    # As bench/bench.py's phones (and a group that has not agreed yet): each its own option.
    "group answer, refused, options mixed": (
        "answer",
        lambda person: {**REFUSED, "draft_option": "ABCD"[(person.id or 0) % 4]},
    ),
}


def per_reply(loaded: Room, action: str, facts: Facts, loops: int) -> list[float]:
    def reply(batch: Room, person: Participant) -> str:
        return views.phone_reply(batch, person, ACKS[action], msg="0" * 32, **facts(person))

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
    for name, (action, facts) in REPLIES.items():
        if action == "answer" and to_answers:
            to(engine, code, who, "discuss")
            to(engine, code, who, "group_answer")
            burst(engine, answers(pages, case), 500)
            to_answers = False
        passes = per_reply(loaded_room(engine, pages[0].session_id), action, facts, args.loops)
        print(f"| {name} | {min(passes):.0f} / {statistics.median(passes):.0f} |")
    engine.dispose()


if __name__ == "__main__":
    main()
