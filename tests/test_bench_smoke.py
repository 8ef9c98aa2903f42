"""The benchmarks themselves, small, so they cannot rot: 60 phones play a whole case (join, vote with
reasons, discuss, every phone saving the group answer at once, reveal, revote, end) on two workers
with PostgreSQL and Redis, each writing its phones' messages in a process of its own
(--writer-process). bench.py exits non-zero on any message unanswered or refused, any phone
that never shows a phase, or stored counts that differ from what the phones were told. And
feed_events.py on 40 phones, phone_views.py and replies.py on 20, scrub.py, limit.py's broadcast and its
crowd's replies on two servers. Timings are not asserted; bench/RESULTS.md holds the figures from
full runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.utils.postgres import postgres_missing
from tests.utils.redis import redis_missing

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("vote with reasons", "group answer, all at once", "reveal", "revote, no reason", "end")


@pytest.mark.skipif(
    bool(postgres_missing() or redis_missing()),
    reason=postgres_missing() or redis_missing() or "PostgreSQL and Redis are here",
)
def test_the_bench_plays_a_whole_case_on_two_workers() -> None:
    command = [sys.executable, "bench/bench.py", "--phones", "60", "--procs", "1"]
    command += ["--workers", "2", "--burst-seconds", "1", "--port", "0", "--writer-process"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = {
        line.split("|")[1].strip(): line.split("|")[2:4]
        for line in done.stdout.splitlines()
        if line.startswith("| ")
    }
    for step in STEPS:
        assert step in rows, (step, done.stdout)
    for step in ("vote with reasons", "group answer, all at once", "revote, no reason"):
        sent, answered = (cell.strip() for cell in rows[step])
        assert sent == answered == "60", (step, done.stdout)
    assert "unanswered, refused, missing or wrongly stored: 0" in done.stdout


# Each in-process bench, small, and the rows its table must end with.
TABLES = {
    "feed_events.py": (
        ["--phones", "40", "--events", "3"],
        ["reason (one group)", "group answer (one group)", "vote"],
    ),
    "phone_views.py": (
        ["--phones", "20", "--loops", "1"],
        ["present", "vote", "discuss", "group_answer", "reveal", "revote", "closed"],
    ),
    "replies.py": (
        ["--phones", "20", "--loops", "1"],
        ["vote (with a reason)", "group answer, the winner", "group answer, refused"],
    ),
    "scrub.py": (
        ["--loops", "2", "--repeat", "1"],
        [
            "a reason, no name",
            "a reason with names",
            "a reason over two lines",
            "a name letter-spaced",
        ],
    ),
}


@pytest.mark.parametrize("script", list(TABLES))
def test_each_in_process_bench_prints_its_whole_table(script: str) -> None:
    args, last_rows = TABLES[script]
    command = [sys.executable, f"bench/{script}", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = [line.split("|")[1].strip() for line in done.stdout.splitlines() if "| " in line]
    assert rows[-len(last_rows) :] == last_rows, done.stdout


@pytest.mark.parametrize("mode", [[], ["--echo", "--servers", "2"]], ids=["broadcast", "echo"])
def test_the_limit_bench_reaches_every_socket(mode: list[str]) -> None:
    command = [sys.executable, "bench/limit.py", "--sockets", "30", "--rounds", "2", "--procs", "1"]
    command += ["--port", "0", *mode]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rounds = [line for line in done.stdout.splitlines() if line.startswith(("| 1 |", "| 2 |"))]
    assert len(rounds) == 2, done.stdout
    assert ("ack p95: median" if mode else "last received: median") in done.stdout
