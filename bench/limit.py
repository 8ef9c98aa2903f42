"""The machine's own limit: one fragment broadcast to N websockets, with nothing of Sparring in it.

The same stack as `sparring serve` (uvicorn, its websockets implementation, no compression), a
Starlette app whose only work is to hold N sockets and, on a signal, send one fixed fragment to
every one of them: each socket's own task sends it, as Sparring's per-page outboxes do. The phones
are plain websockets clients in separate processes on the same machine, as in bench/run.

    .venv/bin/python bench/limit.py [--sockets 1000] [--bytes 4000] [--rounds 5] [--procs 2]
    .venv/bin/python bench/limit.py --echo [--servers 3] [--sockets 3000] [--bytes 3400] [--procs 3]

Prints per round: the server's time to hand the fragment to every socket, and the time from the
signal until the first / median / last client received it. Sparring cannot beat this on the same
machine: whatever it does for a push (reading the room, rendering) comes on top.

`--echo`: the shape of a crowd's group answer instead. Every socket sends one message of a
group answer's size at the same instant, as bench/run's phones do; the server parses it and
answers with the fragment (`--bytes`: a group answer's reply is ~3.4 KiB); prints the ack's
p50 / p95 / max over all sockets per round, the ack measured as bench/run does (from the phone's
send to its reply). `--servers N` runs N such processes, the sockets spread over them as
bench/run spreads its phones over workers. What Sparring adds to this is its own work: reading,
writing and committing the answers, and rendering each reply.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.ports import free_port  # noqa: E402


def fragment(size: int) -> str:
    """A phone's fragment of about `size` bytes (HTML as htmx swaps it)."""
    row = '<li class="post"><p>Lovligheden vejer tungest her, men vi skal også tænke på åbenheden.</p></li>'
    body = row * max(1, size // len(row.encode()))
    return f'<div id="group-posts" hx-swap-oob="true"><ul>{body}</ul></div>'


def server(port: int, size: int, ready: Connection) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    html = fragment(size)
    queues: set[asyncio.Queue[str]] = set()

    async def socket(ws: WebSocket) -> None:
        await ws.accept()
        queue: asyncio.Queue[str] = asyncio.Queue()
        queues.add(queue)

        async def write() -> None:
            while True:
                await ws.send_text(await queue.get())

        writer = asyncio.create_task(write())
        try:
            while True:
                if json.loads(await ws.receive_text()).get("action") == "answer":
                    queue.put_nowait(html)  # --echo: the reply to a phone's own message
        except WebSocketDisconnect:
            pass
        finally:
            writer.cancel()
            queues.discard(queue)

    async def go(request: Request) -> JSONResponse:
        start = time.perf_counter()
        for queue in queues:
            queue.put_nowait(html)
        # Until every socket's writer has taken its fragment and handed it to the transport.
        while any(not q.empty() for q in queues):
            await asyncio.sleep(0)
        return JSONResponse(
            {"sockets": len(queues), "handed_ms": 1000 * (time.perf_counter() - start)}
        )

    app = Starlette(routes=[WebSocketRoute("/ws", socket), Route("/go", go)])
    ready.send("up")
    uvicorn.run(app, host="127.0.0.1", port=port, ws_per_message_deflate=False, log_level="warning")


# What a phone sends to save its group's answer (bench/bench.py's `message`), ~300 bytes.
ANSWER = json.dumps(
    {
        "id": "0" * 32,
        "action": "answer",
        "case": "1",
        "option": "B",
        "text": "Lovligheden vejer tungest her, " * 6,
        "base_version": 0,
    }
)


def clients(ports: list[int], pipe: Connection) -> None:
    asyncio.run(_clients(ports, pipe))


async def _clients(ports: list[int], pipe: Connection) -> None:
    from websockets.asyncio.client import connect

    sockets = []
    for port in ports:
        sockets.append(await connect(f"ws://127.0.0.1:{port}/ws", open_timeout=60))
    pipe.send("connected")
    loop = asyncio.get_running_loop()
    while (order := await loop.run_in_executor(None, pipe.recv)) != "stop":
        if order == "round":
            pipe.send("armed")
            arrived = await asyncio.gather(*(_one(ws) for ws in sockets))
            pipe.send(arrived)
        else:  # ("echo", when): every socket sends at `when`, as bench/run's phones do
            await asyncio.sleep(max(0.0, order[1] - time.time()))
            pipe.send(await asyncio.gather(*(_ack(ws) for ws in sockets)))
    for ws in sockets:
        await ws.close()


async def _one(ws: object) -> float:
    await ws.recv()  # type: ignore[attr-defined]
    return time.time()


async def _ack(ws: object) -> float:
    sent = time.time()
    await ws.send(ANSWER)  # type: ignore[attr-defined]
    await ws.recv()  # type: ignore[attr-defined]
    return time.time() - sent


def percentile(values: list[float], p: float) -> float:
    ranked = sorted(values)
    return ranked[min(len(ranked) - 1, int(p / 100 * len(ranked)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--bytes", type=int, default=4000, help="size of the fragment")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--port", type=int, default=8169, help="the first server's (0: any free)")
    parser.add_argument("--echo", action="store_true", help="a crowd's message and its reply")
    parser.add_argument("--servers", type=int, default=1, help="server processes (with --echo)")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    spawn = mp.get_context("spawn")
    count = args.servers if args.echo else 1
    ports = [args.port + k if args.port else free_port() for k in range(count)]
    servers = [_serve(spawn, port, args.bytes) for port in ports]
    pipes, procs = [], []
    for k in range(args.procs):
        parent, child = spawn.Pipe()
        mine = [ports[n % len(ports)] for n in range(k, args.sockets, args.procs)]
        proc = spawn.Process(target=clients, args=(mine, child))
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    for pipe in pipes:
        assert pipe.recv() == "connected"
    size = len(fragment(args.bytes).encode())
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    print(
        f"{args.sockets} sockets, one fragment of {size:,} bytes each, {args.procs} client processes"
        + (f", {len(ports)} server processes, each socket sends one message" if args.echo else "")
    )
    if args.echo:
        _echo_rounds(pipes, args.rounds)
    else:
        _broadcast_rounds(pipes, ports[0], args.sockets, args.rounds)
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for pipe in pipes:
        pipe.send("stop")
    for proc in procs:
        proc.join()
    for srv in servers:
        srv.terminate()
        srv.join()


def _serve(spawn: Any, port: int, size: int) -> Any:
    """One server process, once it answers HTTP."""
    import httpx

    up, child = spawn.Pipe()
    srv = spawn.Process(target=server, args=(port, size, child), daemon=True)
    srv.start()
    up.recv()
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/nothing", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    return srv


def _broadcast_rounds(pipes: list[Connection], port: int, sockets: int, rounds: int) -> None:
    import httpx

    print("| round | server handed to all (ms) | first / median / last received (ms) |")
    print("|---|---|---|")
    lasts = []
    for n in range(1, rounds + 1):
        for pipe in pipes:
            pipe.send("round")
        for pipe in pipes:
            assert pipe.recv() == "armed"
        start = time.time()
        handed = httpx.get(f"http://127.0.0.1:{port}/go", timeout=60).json()
        arrived = sorted(t - start for pipe in pipes for t in pipe.recv())
        assert handed["sockets"] == sockets == len(arrived), (handed, len(arrived))
        lasts.append(arrived[-1])
        print(
            f"| {n} | {handed['handed_ms']:.0f} | {1000 * arrived[0]:.0f} / "
            f"{1000 * statistics.median(arrived):.0f} / {1000 * arrived[-1]:.0f} |"
        )
    print(f"last received: median of rounds {1000 * statistics.median(lasts):.0f} ms")


def _echo_rounds(pipes: list[Connection], rounds: int) -> None:
    print("| round | ack p50 / p95 / max (ms) |")
    print("|---|---|")
    p95s = []
    for n in range(1, rounds + 1):
        when = time.time() + 0.3
        for pipe in pipes:
            pipe.send(("echo", when))
        acks = [a for pipe in pipes for a in pipe.recv()]
        p95s.append(percentile(acks, 95))
        print(
            f"| {n} | {1000 * percentile(acks, 50):.0f} / {1000 * p95s[-1]:.0f} / "
            f"{1000 * max(acks):.0f} |"
        )
        time.sleep(0.5)  # the previous round's closing frames settle
    print(f"ack p95: median of rounds {1000 * statistics.median(p95s):.0f} ms")


if __name__ == "__main__":
    main()
