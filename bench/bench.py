"""Sparring under load: N phones on real websockets play a whole case as a room does; one table.

Run through bench/run (see bench/README.md). Phones live in several client processes, each its own
browser; the server is a real `sparring serve` process (one uvicorn worker on SQLite), or several on
a fresh PostgreSQL database and Redis. The facilitator presses the buttons over HTTP, a projector
listens. Every step prints its figures; any message not answered (or a count that does not add up)
makes the command exit non-zero.
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
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.security import CSRF_COOKIE  # noqa: E402
from tests.utils.clients import Facilitator  # noqa: E402
from tests.utils.postgres import fresh_database  # noqa: E402
from tests.utils.redis import REDIS_URL  # noqa: E402
from tests.utils.server import FACILITATOR, LiveServer  # noqa: E402

CASE = "kl-01-spareoevelsen"
FIRST_PORT = 8160  # this bench's ports: 8160, 8161, ... one per worker
VOTED = re.compile(r"<strong>(\d+)</strong> af \d+ (?:til stede )?har stemt")
ANSWERED = re.compile(r"<strong>(\d+)</strong> af \d+ grupper? har svaret")
CASE_ID = re.compile(r'name="case" value="(\d+)"')
PHASE = re.compile(r'id="phone-stage"[^>]*data-phase="(\w+)"')
ENDED = "Tak for i dag"
REPLY = re.compile(r'data-msg="([0-9a-f]+)"')
SPY = [
    shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"),
    "record",
    "-r",
    "200",
    "-f",
    "raw",
    "--threads",
    "--subprocesses",  # a worker's phone writer (app.phone_writer) is its child
    "--nonblocking",
]
STEP_TIMEOUT = 60.0  # seconds a step may take before its missing answers count as lost


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


REASON = (
    "Lovligheden vejer tungest her, men vi skal også tænke på åbenheden over for udvalget og på, "
    "hvad borgerne kan forvente af forvaltningen, når sagen kommer frem i pressen senere på året. "
)


def message(kind: str, case: str, n: int) -> dict[str, Any]:
    """What phone n sends in a burst of this kind, as a room sends it."""
    if kind == "vote":  # the easy path: everybody A, no reason
        return {"action": "vote", "case": case, "option": "A"}
    if kind == "vote_reason":  # mixed options and ~180 characters of reason
        reason = (REASON * 2)[n % 40 : n % 40 + 180]
        return {"action": "vote", "case": case, "option": "ABCD"[n % 4], "reason": reason}
    if kind == "revote":  # some change their minds; no reason
        return {"action": "vote", "case": case, "option": "ABCD"[(n // 3) % 4]}
    assert kind == "answer"  # the group's answer, from the version every phone saw (0)
    # Each phone in its own words: words the group has saved already would be taken as saved.
    reason = f"{(REASON * 2)[n % 40 : n % 40 + 180]} ({n})"
    return {
        "action": "answer",
        "case": case,
        "option": "ABCD"[n % 4],
        "text": reason,
        "base_version": 0,
    }


# Phones (in client processes) -------------------------------------------------------------------


class Phone:
    __slots__ = ("case", "seen", "sent", "url", "waiting", "ws")

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws: ClientConnection | None = None
        self.case = ""
        self.seen: dict[str, float] = {}  # phase -> when this phone first showed it
        self.waiting = ""  # the id of the message it waits to have answered
        self.sent: tuple[float, float, str] = (0.0, 0.0, "")  # (sent, answered, how)


class Crowd:
    """One client process's share of the phones."""

    def __init__(self, urls: list[str], code: str) -> None:
        self.code = code
        self.phones = [Phone(url) for url in urls]
        self.received = 0
        self.bytes = 0
        self.changed = asyncio.Event()  # set on every phase a phone sees and every answer
        self.listeners: list[asyncio.Task[None]] = []

    async def join_and_connect(self) -> list[float]:
        limit = asyncio.Semaphore(20)
        # Keep-alive shorter than the server's 5 s: a reused connection it has just closed fails the join.
        limits = httpx.Limits(keepalive_expiry=2)
        trust = httpx.create_ssl_context()  # once: httpx loads the CA bundle per client (~45 ms)

        async def one(phone: Phone) -> float:
            # Each phone its own browser: a shared cookie jar would make every join after the
            # first a rejoin of the same person (the server keeps one person one participant).
            async with limit, httpx.AsyncClient(timeout=60, limits=limits, verify=trust) as http:
                await http.get(f"{phone.url}/")  # the CSRF cookie, echoed as pages do
                http.headers["X-CSRF-Token"] = http.cookies.get(CSRF_COOKIE) or ""
                r = await http.post(f"{phone.url}/join", data={"code": self.code})
                assert r.status_code == 303, r.text
                cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
            start = time.perf_counter()
            ws_url = phone.url.replace("http", "ws", 1) + "/ws/p"
            # No client pings: a browser sends none (the server pings), and a loaded server that
            # answered a ping late would have the client drop the phone mid-run.
            phone.ws = await connect(
                ws_url, additional_headers={"Cookie": cookie}, open_timeout=60, ping_interval=None
            )
            self.see(phone, str(await phone.ws.recv()))  # the full view
            self.listeners.append(asyncio.create_task(self.listen(phone)))
            return time.perf_counter() - start

        return await asyncio.gather(*(one(p) for p in self.phones))

    def see(self, phone: Phone, html: str) -> None:
        self.received += 1
        self.bytes += len(html.encode())
        now = time.time()
        if (m := PHASE.search(html)) and m.group(1) not in phone.seen:
            phone.seen[m.group(1)] = now
            self.changed.set()
        if ENDED in html and "ended" not in phone.seen:
            phone.seen["ended"] = now
            self.changed.set()
        if m := CASE_ID.search(html):
            phone.case = m.group(1)
        if phone.waiting and (m := REPLY.search(html)) and m.group(1) == phone.waiting:
            phone.waiting = ""
            how = (
                "refused"
                if "flash-error" in html
                else "conflict"
                if 'class="conflict"' in html
                else "ok"
            )
            phone.sent = (phone.sent[0], now, how)
            self.changed.set()

    async def listen(self, phone: Phone) -> None:
        assert phone.ws is not None
        with suppress(ConnectionClosed):  # its messages count as unanswered
            async for html in phone.ws:
                self.see(phone, str(html))

    async def until(self, done: Any, timeout: float) -> None:
        deadline = time.time() + timeout
        while not done() and time.time() < deadline:
            self.changed.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), max(0.01, deadline - time.time()))

    async def phase(self, name: str) -> tuple[float, int]:
        """When the last phone showed the phase, and how many never did."""
        await self.until(lambda: all(name in p.seen for p in self.phones), STEP_TIMEOUT)
        shown = [p.seen[name] for p in self.phones if name in p.seen]
        return max(shown, default=0.0), len(self.phones) - len(shown)

    async def burst(self, kind: str, start: float, spacing: float, first: int) -> list[Any]:
        async def one(n: int, phone: Phone) -> None:
            await asyncio.sleep(max(0.0, start + (first + n) * spacing - time.time()))
            assert phone.ws is not None
            out = {"id": uuid.uuid4().hex, **message(kind, phone.case, first + n)}
            phone.waiting, phone.sent = out["id"], (time.time(), 0.0, "")
            with suppress(ConnectionClosed):  # never answered: counted as lost
                await phone.ws.send(json.dumps(out))

        await asyncio.gather(*(one(n, p) for n, p in enumerate(self.phones)))
        await self.until(lambda: not any(p.waiting for p in self.phones), STEP_TIMEOUT)
        return [p.sent for p in self.phones]

    async def close(self) -> None:
        for task in self.listeners:
            task.cancel()
        await asyncio.gather(*(p.ws.close() for p in self.phones if p.ws), return_exceptions=True)


def crowd_process(urls: list[str], code: str, pipe: Connection) -> None:
    try:
        asyncio.run(_crowd(urls, code, pipe))
    except Exception as exc:
        pipe.send(("failed", repr(exc)))
        raise


async def _crowd(urls: list[str], code: str, pipe: Connection) -> None:
    loop = asyncio.get_running_loop()
    crowd = Crowd(urls, code)
    pipe.send(("connected", await crowd.join_and_connect(), (crowd.received, crowd.bytes)))
    while True:
        command, *args = await loop.run_in_executor(None, pipe.recv)
        if command == "phase":
            pipe.send(("phase", *(await crowd.phase(*args)), (crowd.received, crowd.bytes)))
        elif command == "burst":
            pipe.send(("burst", await crowd.burst(*args), (crowd.received, crowd.bytes)))
        else:
            await crowd.close()
            pipe.send(("closed", None))
            return


# The projector, the server, the run (in the main process) ---------------------------------------


class ProjectorWatch:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.votes: list[tuple[float, int]] = []  # (when, votes shown) at every change
        self.answers: list[tuple[float, int]] = []  # (when, groups answered) at every change
        self.received = 0

    async def listen(self) -> None:
        async for message in self.ws:
            self.received += 1
            for pattern, counts in ((VOTED, self.votes), (ANSWERED, self.answers)):
                if m := pattern.search(str(message)):
                    count = int(m.group(1))
                    if not counts or count != counts[-1][1]:
                        counts.append((time.time(), count))

    async def until(self, counts: list[tuple[float, int]], n: int) -> None:
        deadline = time.time() + STEP_TIMEOUT
        while (not counts or counts[-1][1] < n) and time.time() < deadline:
            await asyncio.sleep(0.02)


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (a server's workers, if it forks any)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo.extend(children.get(tree[-1], []))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time these processes have used so far (ended ones count nothing)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def machine_busy_seconds() -> float:
    """CPU time all cores spent on anything but idling and waiting, since boot."""
    values = _cpu_line()
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def stolen_seconds() -> float:
    """CPU time the host gave to other machines while this one wanted it, since boot (a busy
    host slows every figure; the load average does not show it)."""
    return _cpu_line()[7] / os.sysconf("SC_CLK_TCK")


def _cpu_line() -> list[int]:
    return [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def rss_mib(live: list[LiveServer], field_name: str = "VmRSS") -> float:
    total = 0
    for server in live:
        for pid in process_tree(server.proc.pid) if server.proc else []:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith(field_name + ":"):
                    total += int(line.split()[1])
    return total / 1024


@contextmanager
def servers(
    workers: int, data: Path, port: int, writer_process: bool
) -> Iterator[tuple[list[LiveServer], str]]:
    """One SQLite worker, or several on a fresh PostgreSQL database and Redis. Yields (servers, db url)."""
    base = {
        "SPARRING_TALLY_PUSH_INTERVAL": "0.1",
        "SPARRING_WRITER_PROCESS": "1" if writer_process else "0",
    }
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
            live.append(LiveServer(data / f"w{n}", port=port + n if port else None, env=env))
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


@dataclass
class Step:
    name: str
    sent: int = 0
    answered: int = 0
    conflicts: int = 0
    refused: int = 0
    acks: list[float] = field(default_factory=list)  # seconds from send to the phone's answer
    to_projector: list[float] = field(default_factory=list)  # seconds from send to the count
    all_phones_s: float | None = None  # until every phone showed the new phase
    missing: int = 0  # phones that never showed it
    pushed: int = 0  # websocket messages to phones and projector during the step
    pushed_bytes: int = 0  # of which to the phones, in bytes
    seconds: float = 0.0
    rss_mib: float = 0.0
    load: float = 0.0
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)  # CPU s: servers, phones' clients, the rest

    @property
    def lost(self) -> int:
        return self.sent - self.answered + self.missing + self.refused


class Run:
    def __init__(self, args: argparse.Namespace, live: list[LiveServer], db_url: str) -> None:
        self.args = args
        self.live = live
        self.db_url = db_url
        self.pipes: list[Connection] = []
        self.procs: list[Any] = []
        self.received: list[tuple[int, int]] = []  # per crowd, cumulative: (messages, bytes)
        self.steps: list[Step] = []
        self.facts: dict[str, Any] = {}
        self.spies: list[subprocess.Popen[bytes]] = []
        self.cpu_before = (0.0, 0.0, 0.0)

    async def gather(self, expect: str) -> list[Any]:
        loop = asyncio.get_running_loop()
        replies = await asyncio.gather(*(loop.run_in_executor(None, p.recv) for p in self.pipes))
        assert all(r[0] == expect for r in replies), str(replies)[:2000]
        self.received = [r[-1] for r in replies if r[-1] is not None] or self.received
        return [r[1:-1] for r in replies]

    def pushed(self) -> tuple[int, int]:
        """Messages received by all phones and the projector so far, and the phones' bytes."""
        return (
            sum(n for n, _ in self.received) + self.projector.received,
            sum(b for _, b in self.received),
        )

    def begin(self, name: str) -> tuple[Step, float, tuple[int, int]]:
        step = Step(name)
        self.steps.append(step)
        self.spies = self.profile(name)
        self.cpu_before = self.cpu()
        return step, time.time(), self.pushed()

    def cpu(self) -> tuple[float, float, float]:
        """CPU seconds so far: the servers, the phones' client processes, the whole machine."""
        servers = [pid for s in self.live if s.proc for pid in process_tree(s.proc.pid)]
        clients = [pid for proc in self.procs for pid in process_tree(proc.pid)]
        return cpu_seconds(servers), cpu_seconds(clients), machine_busy_seconds()

    def profile(self, name: str) -> list[subprocess.Popen[bytes]]:
        """With --profile: py-spy on every server process for this step (raw collapsed stacks)."""
        if not self.args.profile:
            return []
        folder = Path(self.args.profile)
        folder.mkdir(parents=True, exist_ok=True)
        spies = []
        for n, server in enumerate(self.live):
            assert server.proc is not None
            slug = re.sub(r"\W+", "-", name)
            out = folder / f"{len(self.steps):02d}-{slug}-w{n}.raw"
            spies.append(
                subprocess.Popen(
                    [*SPY, "-o", str(out), "--pid", str(server.proc.pid)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        time.sleep(0.5)  # py-spy attaches
        return spies

    def end(self, step: Step, started: float, before: tuple[int, int]) -> None:
        step.seconds = time.time() - started
        for spy in self.spies:
            spy.send_signal(signal.SIGINT)
        for spy in self.spies:
            spy.wait()
        now = self.pushed()
        step.pushed, step.pushed_bytes = now[0] - before[0], now[1] - before[1]
        step.rss_mib = rss_mib(self.live)
        servers, clients, busy = (a - b for a, b in zip(self.cpu(), self.cpu_before, strict=True))
        step.cpu = (servers, clients, busy - servers - clients)
        step.load = os.getloadavg()[0]
        print(f"  {step.name}: {step.seconds:.1f} s, lost {step.lost}", file=sys.stderr, flush=True)

    async def main(self) -> None:
        args = self.args
        staff = self.live[
            -1
        ]  # projector and facilitator on the last worker, phones spread over all
        self.fac = Facilitator(staff.url)
        self.fac.http.timeout = httpx.Timeout(60)
        self.fac.login(*FACILITATOR)
        self.code = self.fac.create_session("Benchmark", [CASE], group_size=4)
        ws = await connect(
            staff.url.replace("http", "ws", 1) + f"/ws/projector/{self.code}",
            additional_headers={"Cookie": self.fac.cookie()},
            max_size=None,
            ping_interval=None,
        )
        self.projector = ProjectorWatch(ws)
        listening = asyncio.create_task(self.projector.listen())
        try:
            await self.join()
            if not args.idle:
                await self.play()
        finally:
            self.facts["server peak RSS (VmHWM, all processes)"] = rss_mib(self.live, "VmHWM")
            for pipe in self.pipes:
                pipe.send(("close",))
            await self.gather("closed")
            for proc in self.procs:
                proc.join()
            listening.cancel()
            await ws.close()

    async def join(self) -> None:
        args = self.args
        urls = [self.live[n % len(self.live)].url for n in range(args.phones)]
        shares = [urls[n :: args.procs] for n in range(args.procs)]
        step, started, before = self.begin("join + connect")
        for share in shares:
            parent, child = mp.get_context("spawn").Pipe()
            proc = mp.get_context("spawn").Process(
                target=crowd_process, args=(share, self.code, child)
            )
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)
        connects = [t for reply in await self.gather("connected") for t in reply[0]]
        step.acks = connects  # a handshake plus the full view: the "answer" to connecting
        step.sent = step.answered = len(connects)
        step.all_phones_s = time.time() - started
        self.end(step, started, before)
        self.facts["server RSS, all phones connected"] = step.rss_mib

    async def press(self, name: str, phase: str, button: str, **data: str) -> None:
        """The facilitator presses a button; the step lasts until every phone shows `phase`."""
        step, started, before = self.begin(name)
        for pipe in self.pipes:
            pipe.send(("phase", phase))
        flash = self.fac.act(self.code, button, **data)
        assert flash == "", flash
        replies = await self.gather("phase")
        step.all_phones_s = max(r[0] for r in replies) - started
        step.missing = sum(r[1] for r in replies)
        self.end(step, started, before)

    async def burst(
        self, name: str, kind: str, seconds: float, counter: list[tuple[float, int]] | None
    ) -> None:
        """Every phone sends one message of `kind`, spread evenly over `seconds`."""
        step, started, before = self.begin(name)
        if counter is not None:
            counter.clear()
        start = time.time() + 0.3
        spacing = seconds / self.args.phones
        first = 0
        for n, pipe in enumerate(self.pipes):
            pipe.send(("burst", kind, start, spacing, first))
            first += len(range(n, self.args.phones, len(self.pipes)))
        sent = [s for reply in await self.gather("burst") for s in reply[0]]
        step.sent = len(sent)
        for when, answered, how in sent:
            if answered:
                step.answered += 1
                step.acks.append(answered - when)
                step.conflicts += how == "conflict"
                step.refused += how == "refused"
        if counter is not None:
            # Votes: every stored one counted; answers: every group's (one per group wins).
            target = self.groups if kind == "answer" else step.answered - step.refused
            await self.projector.until(counter, target)
            if kind == "answer":  # one time: the last group's answer counted on the projector
                done = next((t for t, n in counter if n >= target), None)
                step.to_projector = [done - start] if done else []
            else:  # votes by send time; the n-th counts as shown when the counter reads >= n
                for n, (when, _a, _h) in enumerate(sorted(sent), 1):
                    shown = next((t for t, count in counter if count >= n), None)
                    if shown is not None:
                        step.to_projector.append(shown - when)
        self.end(step, started, before)

    async def play(self) -> None:
        args = self.args
        seconds = args.burst_seconds
        await self.press("start: case shown", "present", "start")
        await self.press("phase: vote", "vote", "phase", action="next")
        if args.vote_only:
            kind = "vote_reason" if args.reasons else "vote"
            await self.burst(
                "vote" + (" with reasons" if args.reasons else ""),
                kind,
                seconds,
                self.projector.votes,
            )
            self.check_stored(rounds=1, answers=False)
            return
        await self.burst("vote with reasons", "vote_reason", seconds, self.projector.votes)
        await self.press("phase: discuss", "discuss", "phase", action="next")
        await self.press("phase: group answer", "group_answer", "phase", action="next")
        self.groups = self.count(
            'SELECT count(*) FROM "group" WHERE session_id = '
            "(SELECT id FROM session WHERE code = :code)"
        )
        await self.burst("group answer, all at once", "answer", 0.0, self.projector.answers)
        await self.press("reveal", "reveal", "phase", action="next")
        await self.press("phase: revote", "revote", "phase", action="next")
        await self.burst("revote, no reason", "revote", seconds, self.projector.votes)
        await self.press("phase: closed", "closed", "phase", action="next")
        await self.press("end", "ended", "end")
        self.check_stored(rounds=2, answers=True)

    def count(self, sql: str) -> int:
        engine = create_engine(self.db_url)
        with engine.connect() as conn:
            value = conn.execute(text(sql), {"code": self.code}).scalar_one()
        engine.dispose()
        return int(value)

    def check_stored(self, rounds: int, answers: bool) -> None:
        """What the database holds must be what the phones were told."""
        phones = self.args.phones
        for n in range(1, rounds + 1):
            self.facts[f"votes stored, round {n}"] = (
                self.count(f"SELECT count(*) FROM vote WHERE round = {n}"),
                phones,
            )
        if not self.args.vote_only or self.args.reasons:
            self.facts["reasons stored"] = (self.count("SELECT count(*) FROM post"), phones)
        if answers:
            self.facts["group answers stored (version 1)"] = (
                self.count("SELECT count(*) FROM groupanswer WHERE version = 1"),
                self.groups,
            )
            self.facts["group answers saved or refused as stale"] = (
                sum(s.answered - s.refused for s in self.steps if s.name.startswith("group")),
                phones,
            )


def run(args: argparse.Namespace) -> Run:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    load, stolen = os.getloadavg(), stolen_seconds()
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%h %cI"], capture_output=True, text=True
    ).stdout.strip()
    with (
        tempfile.TemporaryDirectory() as tmp,
        servers(args.workers, Path(tmp), args.port, args.writer_process) as (live, db_url),
    ):
        bench = Run(args, live, db_url)
        try:
            asyncio.run(bench.main())
        finally:
            bench.facts["load average at start (1/5/15 min)"] = " / ".join(f"{x:.1f}" for x in load)
            bench.facts["load average at end"] = " / ".join(f"{x:.1f}" for x in os.getloadavg())
            bench.facts["CPU taken by the host (steal) during the run"] = (
                f"{stolen_seconds() - stolen:.1f} s"
            )
            bench.facts["machine"] = f"{os.cpu_count()} cores, commit {commit}"
    return bench


def ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{1000 * seconds:,.0f}"


def report(bench: Run) -> tuple[str, int]:
    """The table, and how many messages went unanswered or counts came out wrong."""
    args = bench.args
    where = "SQLite" if args.workers == 1 else "PostgreSQL + Redis"
    lines = [
        f"{args.phones} phones, {args.workers} worker(s) on {where}, {args.procs} client processes, "
        f"bursts over {args.burst_seconds:g} s"
        + (", phones' messages written by a process of their own" if args.writer_process else ""),
        "",
        "| step | sent | answered | conflicts | ack p50 / p95 / max (ms) | to projector p95 (ms) "
        "| every phone shows it (ms) | pushed (mean size) | RSS (MiB) | load "
        "| CPU s: servers / clients / rest |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    bad = 0
    for s in bench.steps:
        acks = f"{ms(percentile(s.acks, 50))} / {ms(percentile(s.acks, 95))} / {ms(max(s.acks, default=0))}"
        lines.append(
            f"| {s.name} | {s.sent or ''} | {s.answered if s.sent else ''} | {s.conflicts or ''} "
            f"| {acks if s.acks else ''} | {ms(percentile(s.to_projector, 95)) if s.to_projector else ''} "
            f"| {ms(s.all_phones_s)}{f' ({s.missing} never)' if s.missing else ''} | {s.pushed:,} ({s.pushed_bytes / 1024 / max(s.pushed, 1):.1f} KiB) "
            f"| {s.rss_mib:.0f} | {s.load:.1f} | {' / '.join(f'{c:.2f}' for c in s.cpu)} |"
        )
        bad += s.lost
    lines.append("")
    for key, value in bench.facts.items():
        if isinstance(value, tuple):
            ok = value[0] == value[1]
            bad += 0 if ok else abs(value[1] - value[0])
            value = f"{value[0]} of {value[1]}" + ("" if ok else "  ← WRONG")
        elif isinstance(value, float):
            value = f"{value:.0f} MiB"
        lines.append(f"- {key}: {value}")
    lines.append(f"- unanswered, refused, missing or wrongly stored: {bad}")
    return "\n".join(lines), bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--burst-seconds", type=float, default=5.0)
    parser.add_argument("--procs", type=int, default=2, help="client processes for the phones")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="1: one worker on SQLite; N > 1: N workers on a fresh PostgreSQL database and Redis",
    )
    parser.add_argument(
        "--vote-only",
        action="store_true",
        help="the old easy path: start, vote phase, one vote burst (every phone A), stop",
    )
    parser.add_argument(
        "--reasons", action="store_true", help="with --vote-only: votes with reasons, mixed options"
    )
    parser.add_argument(
        "--port", type=int, default=FIRST_PORT, help="the first worker's port (0: any free ports)"
    )
    parser.add_argument(
        "--profile", default="", help="a folder: py-spy records every server process per step"
    )
    parser.add_argument("--idle", action="store_true", help="connect only; measure memory")
    parser.add_argument(
        "--writer-process",
        action="store_true",
        help="each worker writes the phones' messages in a process of its own (app.phone_writer)",
    )
    args = parser.parse_args()
    bench = run(args)
    table, bad = report(bench)
    print(table)
    if bad:
        sys.exit(f"{bad} messages unanswered, refused or lost, or phones that never caught up")


if __name__ == "__main__":
    main()
