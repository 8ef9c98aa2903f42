"""Sparring under load: N phones on real websockets, a projector, a vote burst; prints one table.

Run through bench/run (see bench/README.md). Phones live in several client processes; the server
is a real `sparring serve` process (one uvicorn worker), or two workers on PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import re
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.security import CSRF_COOKIE  # noqa: E402
from tests.utils.clients import Facilitator  # noqa: E402
from tests.utils.postgres import fresh_database  # noqa: E402
from tests.utils.redis import REDIS_URL  # noqa: E402
from tests.utils.server import FACILITATOR, LiveServer  # noqa: E402

CASE = "kl-01-spareoevelsen"
VOTED = re.compile(r"<strong>(\d+)</strong> af \d+ (?:til stede )?har stemt")
CASE_ID = re.compile(r'name="case" value="(\d+)"')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


# Phones (in client processes) -------------------------------------------------------------------


class Phone:
    __slots__ = ("acked", "case", "url", "ws")

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws: ClientConnection | None = None
        self.case = ""
        self.acked = 0.0


class Crowd:
    """One client process's share of the phones."""

    def __init__(self, urls: list[str], code: str, reasons: bool = False) -> None:
        self.code = code
        self.reasons = reasons
        self.phones = [Phone(url) for url in urls]
        self.received = 0
        self.ready = asyncio.Event()
        self.listeners: list[asyncio.Task[None]] = []

    async def join_and_connect(self) -> list[float]:
        limit = asyncio.Semaphore(20)
        # Keep-alive shorter than the server's 5 s: a reused connection it has just closed fails the join.
        limits = httpx.Limits(keepalive_expiry=2)

        async def one(phone: Phone) -> float:
            # Each phone its own browser: a shared cookie jar would make every join after the
            # first a rejoin of the same person (the server keeps one person one participant).
            async with limit, httpx.AsyncClient(timeout=60, limits=limits) as http:
                await http.get(f"{phone.url}/")  # the CSRF cookie, echoed as pages do
                http.headers["X-CSRF-Token"] = http.cookies.get(CSRF_COOKIE) or ""
                r = await http.post(f"{phone.url}/join", data={"code": self.code})
                assert r.status_code == 303, r.text
                cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
            start = time.perf_counter()
            ws_url = phone.url.replace("http", "ws", 1) + "/ws/p"
            phone.ws = await connect(ws_url, additional_headers={"Cookie": cookie}, open_timeout=60)
            self.received += 1
            await phone.ws.recv()  # the full view
            self.listeners.append(asyncio.create_task(self.listen(phone)))
            return time.perf_counter() - start

        return await asyncio.gather(*(one(p) for p in self.phones))

    async def listen(self, phone: Phone) -> None:
        assert phone.ws is not None
        async for message in phone.ws:
            self.received += 1
            html = str(message)
            if not phone.case and 'data-phase="vote"' in html and (m := CASE_ID.search(html)):
                phone.case = m.group(1)
                if all(p.case for p in self.phones):
                    self.ready.set()
            elif "Din stemme (" in html:
                phone.acked = time.time()

    async def burst(self, start: float, spacing: float, first: int) -> list[float]:
        async def one(n: int, phone: Phone) -> float:
            await asyncio.sleep(max(0.0, start + (first + n) * spacing - time.time()))
            sent = time.time()
            assert phone.ws is not None
            await phone.ws.send(vote_message(phone.case, first + n, self.reasons))
            return sent

        return await asyncio.gather(*(one(n, p) for n, p in enumerate(self.phones)))

    async def close(self) -> None:
        await asyncio.gather(*(p.ws.close() for p in self.phones if p.ws), return_exceptions=True)


def vote_message(case: str, n: int, reasons: bool) -> str:
    """Every phone votes A; with reasons, as a room does: mixed options and ~180 characters."""
    message = {"id": uuid.uuid4().hex, "action": "vote", "case": case, "option": "A"}
    if reasons:
        message["option"] = "ABCD"[n % 4]
        message["reason"] = (REASON * 2)[n % 40 : n % 40 + 180]
    return json.dumps(message)


REASON = (
    "Lovligheden vejer tungest her, men vi skal også tænke på åbenheden over for udvalget og på, "
    "hvad borgerne kan forvente af forvaltningen, når sagen kommer frem i pressen senere på året. "
)


def crowd_process(urls: list[str], code: str, pipe: Connection, reasons: bool = False) -> None:
    try:
        asyncio.run(_crowd(urls, code, pipe, reasons))
    except Exception as exc:
        pipe.send(("failed", repr(exc)))
        raise


async def _crowd(urls: list[str], code: str, pipe: Connection, reasons: bool) -> None:
    loop = asyncio.get_running_loop()
    crowd = Crowd(urls, code, reasons)
    pipe.send(("connected", await crowd.join_and_connect()))
    while True:
        command, *args = await loop.run_in_executor(None, pipe.recv)
        if command == "await_vote":
            await asyncio.wait_for(crowd.ready.wait(), 120)
            pipe.send(("vote_ready", time.time()))
        elif command == "burst":
            before = crowd.received
            sent = await crowd.burst(*args)
            deadline = time.time() + 30
            while any(not p.acked for p in crowd.phones) and time.time() < deadline:
                await asyncio.sleep(0.05)
            pipe.send(
                ("burst_done", sent, [p.acked for p in crowd.phones], crowd.received - before)
            )
        else:
            await crowd.close()
            pipe.send(("closed",))
            return


# The projector and the run (in the main process) ------------------------------------------------


class ProjectorWatch:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.counts: list[tuple[float, int]] = []  # (when, votes shown) at every change
        self.received = 0

    async def listen(self) -> None:
        async for message in self.ws:
            self.received += 1
            if m := VOTED.search(str(message)):
                count = int(m.group(1))
                if not self.counts or count != self.counts[-1][1]:
                    self.counts.append((time.time(), count))


def rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


@contextmanager
def servers(workers: int, data: Path) -> Iterator[tuple[list[LiveServer], str]]:
    """One SQLite worker, or two on a fresh PostgreSQL database and Redis. Yields (servers, db url)."""
    base = {"SPARRING_TALLY_PUSH_INTERVAL": "0.1"}
    with ExitStack() as stack:
        if workers == 1:
            env, url = base, f"sqlite:///{data / 'w0' / 'sparring.db'}"
        else:
            url = stack.enter_context(fresh_database())
            env = {
                **base,
                "SPARRING_DATABASE_URL": url,
                "SPARRING_REDIS_URL": REDIS_URL,
                "SPARRING_REDIS_PREFIX": f"bench-{secrets.token_hex(4)}",
                "SPARRING_SECRET_KEY": secrets.token_urlsafe(32),
            }
        live = []
        for n in range(workers):
            (data / f"w{n}").mkdir()
            live.append(LiveServer(data / f"w{n}", env=env))
        live[0].add_facilitator()
        try:
            for server in live:
                server.start()
            yield live, url
        except BaseException:
            for server in live:
                log = (server.data_dir / "server.log").read_text()
                print(f"--- {server.url} log, last lines ---\n{log[-4000:]}", file=sys.stderr)
            raise
        finally:
            for server in live:
                try:
                    server.stop()
                except subprocess.TimeoutExpired:  # a thousand sockets closing can outlast it
                    server.stop(signal.SIGKILL)


def run(args: argparse.Namespace) -> dict[str, Any]:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    load = os.getloadavg()[0]  # other work on the machine: say how busy it was
    with tempfile.TemporaryDirectory() as tmp, servers(args.workers, Path(tmp)) as (live, db_url):
        result = asyncio.run(_run(args, live, db_url))
    return result | {"load": f"{load:.1f} → {os.getloadavg()[0]:.1f}", "cores": os.cpu_count()}


async def _run(args: argparse.Namespace, live: list[LiveServer], db_url: str) -> dict[str, Any]:
    staff = live[-1]  # projector and facilitator on the last worker, phones spread over all
    fac = Facilitator(staff.url)
    fac.login(*FACILITATOR)
    code = fac.create_session("Benchmark", [CASE], group_size=4)
    ws = await connect(
        staff.url.replace("http", "ws", 1) + f"/ws/projector/{code}",
        additional_headers={"Cookie": fac.cookie()},
        max_size=None,
    )
    projector = ProjectorWatch(ws)
    listening = asyncio.create_task(projector.listen())

    urls = [live[n % len(live)].url for n in range(args.phones)]
    shares = [urls[n :: args.procs] for n in range(args.procs)]
    pipes, procs = [], []
    start = time.perf_counter()
    for share in shares:
        parent, child = mp.get_context("spawn").Pipe()
        proc = mp.get_context("spawn").Process(
            target=crowd_process, args=(share, code, child, args.reasons)
        )
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    loop = asyncio.get_running_loop()

    async def gather(expect: str) -> list[Any]:
        replies = await asyncio.gather(*(loop.run_in_executor(None, p.recv) for p in pipes))
        assert all(r[0] == expect for r in replies), replies
        return [r[1:] for r in replies]

    connect_times = [t for reply in await gather("connected") for t in reply[0]]
    result: dict[str, Any] = {
        "phones": args.phones,
        "workers": args.workers,
        "connect_all_s": time.perf_counter() - start,
        "connect_p50_ms": 1000 * percentile(connect_times, 50),
        "connect_p95_ms": 1000 * percentile(connect_times, 95),
        "rss_connected_mib": sum(rss_kib(s.proc.pid, "VmRSS") for s in live if s.proc) / 1024,
    }
    if not args.idle:
        result |= await burst(args, fac, code, projector, pipes, gather)
        result["stored"] = stored_votes(db_url)
    result["peak_rss_mib"] = sum(rss_kib(s.proc.pid, "VmHWM") for s in live if s.proc) / 1024
    for pipe in pipes:
        pipe.send(("close",))
    await gather("closed")
    for proc in procs:
        proc.join()
    listening.cancel()
    await ws.close()
    return result


async def burst(
    args: argparse.Namespace,
    fac: Facilitator,
    code: str,
    projector: ProjectorWatch,
    pipes: list[Connection],
    gather: Any,
) -> dict[str, Any]:
    fac.act(code, "start")
    for pipe in pipes:
        pipe.send(("await_vote",))
    phase_at = time.time()
    fac.act(code, "phase", action="next")
    phase_done = max(reply[0] for reply in await gather("vote_ready"))

    start = time.time() + 0.5
    spacing = args.burst_seconds / args.phones
    firsts = [0]
    for pipe_index in range(len(pipes) - 1):
        firsts.append(firsts[-1] + len(range(pipe_index, args.phones, len(pipes))))
    seen_before = projector.received
    for pipe, first in zip(pipes, firsts, strict=True):
        pipe.send(("burst", start, spacing, first))
    replies = await gather("burst_done")
    sent = sorted(t for reply in replies for t in reply[0])
    acks = [t for reply in replies for t in reply[1]]
    deadline = time.time() + 30
    while (not projector.counts or projector.counts[-1][1] < len(sent)) and time.time() < deadline:
        await asyncio.sleep(0.05)

    latencies = []
    for n, when in enumerate(sent, 1):
        shown = next((t for t, count in projector.counts if count >= n), None)
        if shown is not None:
            latencies.append(shown - when)
    end = projector.counts[-1][0] if projector.counts else time.time()
    pushed = sum(reply[2] for reply in replies) + projector.received - seen_before
    return {
        "phase_to_all_phones_ms": 1000 * (phase_done - phase_at),
        "sent": len(sent),
        "acked": sum(1 for t in acks if t),
        "burst_s": sent[-1] - sent[0],
        "shown_on_projector": projector.counts[-1][1] if projector.counts else 0,
        "latency_p50_ms": 1000 * percentile(latencies, 50),
        "latency_p95_ms": 1000 * percentile(latencies, 95),
        "latency_p99_ms": 1000 * percentile(latencies, 99),
        "ack_p95_ms": 1000
        * percentile([a - s for a, s in zip(sorted(acks), sent, strict=True) if a], 95),
        "pushed_per_s": pushed / max(end - sent[0], 1e-9),
    }


def stored_votes(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM vote")).scalar_one()
    engine.dispose()
    return int(count)


LABELS = {
    "phones": "phones connected",
    "workers": "uvicorn workers",
    "connect_all_s": "join + connect all (s)",
    "connect_p50_ms": "websocket connect p50 (ms)",
    "connect_p95_ms": "websocket connect p95 (ms)",
    "rss_connected_mib": "server RSS, all connected (MiB)",
    "phase_to_all_phones_ms": "phase change on every phone (ms)",
    "sent": "votes sent",
    "acked": "votes acknowledged",
    "stored": "votes stored",
    "shown_on_projector": "votes shown on projector",
    "burst_s": "burst length (s)",
    "latency_p50_ms": "vote-to-projector p50 (ms)",
    "latency_p95_ms": "vote-to-projector p95 (ms)",
    "latency_p99_ms": "vote-to-projector p99 (ms)",
    "ack_p95_ms": "vote-to-ack p95 (ms, approx.)",
    "pushed_per_s": "messages pushed per second",
    "peak_rss_mib": "server peak RSS (MiB)",
    "load": "load average, start → end (1 min)",
    "cores": "CPU cores",
}


def table(result: dict[str, Any]) -> str:
    rows = [
        f"| {LABELS[k]} | {v:.1f} |" if isinstance(v, float) else f"| {LABELS[k]} | {v} |"
        for k, v in result.items()
    ]
    return "\n".join(["| measure | value |", "|---|---|", *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--burst-seconds", type=float, default=5.0)
    parser.add_argument("--procs", type=int, default=2, help="client processes for the phones")
    parser.add_argument(
        "--reasons",
        action="store_true",
        help="each vote with a ~180-character reason and mixed options, as a room votes",
    )
    parser.add_argument(
        "--workers",
        type=int,
        choices=[1, 2],
        default=1,
        help="2: two workers on a fresh PostgreSQL database and Redis",
    )
    parser.add_argument("--idle", action="store_true", help="connect only; measure memory")
    args = parser.parse_args()
    result = run(args)
    print(table(result))
    lost = result.get("sent", 0) - result.get("stored", 0)
    if not args.idle and lost:
        sys.exit(f"{lost} votes lost")


if __name__ == "__main__":
    main()
