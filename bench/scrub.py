"""Scrubbing one text for a summary (app.domain.anonymise.scrub), as the end's freeze does for
every text of a session while it holds the write lock.

    .venv/bin/python bench/scrub.py [--loops 300] [--repeat 5]

Prints the first scrub in a fresh process (imports and whatever it compiles on the way) and, per
kind of text, microseconds per scrub: the minimum of `--repeat` runs of `--loops` scrubs.
"""

from __future__ import annotations

import argparse
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEXTS = {
    "a reason, no name": (
        "Jeg vægter lovligheden højest her, fordi borgerens retssikkerhed går forud for hensynet "
        "til effektiviteten, men jeg forstår godt dem, der vil tale med direktøren først om sagen."
    ),
    "a reason with names": (
        "Mette mener: lovligheden vejer tungest, fordi borgerens retssikkerhed går forud for "
        "hensynet til effektiviteten, og Jensen er enig med hende om sagen i udvalget."
    ),
    "a reason over two lines": (
        "Lovligheden vejer tungest.\nBorgerens retssikkerhed går forud for hensynet til "
        "effektiviteten, men jeg forstår godt dem, der vil tale med direktøren først."
    ),
    "a name letter-spaced": "Spørg M e t t e om sagen, hun ved det.",
}
ALIASES = ["Kirsten", "Bo", "Leder"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loops", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    from app.domain.anonymise import scrub

    scrub(TEXTS["a reason, no name"], ALIASES)
    print(f"first scrub in a process: {1000 * (time.perf_counter() - started):.0f} ms")
    print("| text | µs per scrub |")
    print("|---|---|")
    for label, text in TEXTS.items():
        runs = timeit.repeat(
            lambda t=text: scrub(t, ALIASES), number=args.loops, repeat=args.repeat
        )
        print(f"| {label} | {min(runs) / args.loops * 1e6:.0f} |")


if __name__ == "__main__":
    main()
