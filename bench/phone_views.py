"""What a phase change costs per phone to render: every phone's view as the feed pushes it.

    .venv/bin/python bench/phone_views.py [--phones 1000] [--loops 5]

A phase change pushes each phone its stage, flash and own-dilemma form (the start adds its header);
the feed renders them per phone from one room. This renders them for every phone of a room in
groups of four, in-process, as the feed does after each phase change of a case (the facilitator's
buttons, no votes or texts), and prints microseconds of wall time per phone: the minimum and the
median of `--loops` passes over every phone, with the header apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from writer import loaded_room, per_person, room, to  # noqa: E402

from app import i18n, views  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.live_rules import FULL, Audience  # noqa: E402
from app.room import Room  # noqa: E402

PHASES = ("present", "vote", "discuss", "group_answer", "reveal", "revote", "closed")
PUSHED = tuple(n for n in FULL[Audience.PARTICIPANT] if n != "header")


def per_phone(loaded: Room, names: tuple[str, ...], loops: int) -> tuple[float, float]:
    """(min, median) microseconds per phone: its fragments as the feed renders them."""
    passes = per_person(loaded, lambda room, person: views.participant(room, person, names), loops)
    return min(passes), statistics.median(passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--loops", type=int, default=5)
    args = parser.parse_args()
    engine = make_engine(Settings(data_dir=Path(tempfile.mkdtemp(prefix="sparring-views-"))))
    code, who, _case, pages, _ = room(engine, args.phones)
    i18n.current.set("da")
    print(f"\n{args.phones} phones in groups of four; µs per phone, min / median of {args.loops}")
    print("| phase | stage, flash, dilemma (as a phase change pushes them) | header |")
    print("|---|---|---|")
    for phase in PHASES:
        if phase != "present":
            to(engine, code, who, phase)
        loaded = loaded_room(engine, pages[0].session_id)
        pushed = per_phone(loaded, PUSHED, args.loops)
        header = per_phone(loaded, ("header",), args.loops)
        print(
            f"| {phase} | {pushed[0]:.0f} / {pushed[1]:.0f} | {header[0]:.0f} / {header[1]:.0f} |"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
