"""The benchmark itself, small, so it cannot rot: 40 phones vote with reasons on one worker and
the run must store every vote (bench.py exits non-zero otherwise). Its timings are not asserted;
bench/RESULTS.md holds the figures from full runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_bench_runs_a_small_room_voting_with_reasons() -> None:
    command = [sys.executable, "bench/bench.py", "--phones", "40", "--procs", "1", "--reasons"]
    done = subprocess.run(
        [*command, "--burst-seconds", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = dict(
        line.strip("|").split("|")[:2] for line in done.stdout.splitlines() if line.startswith("| ")
    )
    figures = {k.strip(): v.strip() for k, v in rows.items()}
    assert figures["votes sent"] == figures["votes stored"] == "40", figures
    assert figures["votes acknowledged"] == figures["votes shown on projector"] == "40", figures
