"""Bot phones: join a session over HTTP, follow it over a websocket, vote and write like people."""

from __future__ import annotations

import asyncio
import json
import random
import re
import ssl
import sys
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.security import CSRF_COOKIE

# The fragment the page swaps when the phase or the case changes, and the phase (or status) it shows.
STAGE = re.compile(r'id="phone-stage"[^>]*\bdata-phase="([^"]*)"')
# Where a bot may have something to do (Bot.actions), and the end, where it leaves: on any other
# stage it does not ask for its state. Twelve bots asked at every step of a case.
ASKING = frozenset({"vote", "revote", "group_answer", "ended"})
# A busy server (a rehearsal on a laptop that also drives the projector) may take seconds to answer:
# a bot waits as a phone would, and one that gives up reconnects rather than drops out of the room.
READ_TIMEOUT = 30.0
BROKEN = (ConnectionClosed, OSError, httpx.TransportError)

REASONS = [
    "Loven går forud; vi må sige det tydeligt til ledelsen.",
    "Jeg ville tage en uformel snak først og så skrive det ned.",
    "Politikerne skal have det fulde billede, også det ubehagelige.",
    "Her er det vigtigst at være åben om fejlen med det samme.",
]


@dataclass
class Bot:
    base_url: str
    code: str
    name: str
    rng: random.Random
    think: float = 0.0
    read_timeout: float = READ_TIMEOUT
    trust: ssl.SSLContext | bool = True
    done: set[tuple[Any, ...]] = field(default_factory=set)

    async def join(self, client: httpx.AsyncClient) -> None:
        await client.get("/")  # the CSRF cookie, echoed in a header as the page would
        client.headers["X-CSRF-Token"] = client.cookies.get(CSRF_COOKIE) or ""
        response = await client.post("/join", data={"code": self.code, "alias": self.name})
        if response.status_code != 303:
            raise RuntimeError(f"{self.name} could not join: {response.status_code}")

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(
            base_url=self.base_url, timeout=self.read_timeout, verify=self.trust
        ) as client:
            await self.join(client)
            ws_url = self.base_url.replace("http", "ws", 1) + "/ws/p"
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            while not stop.is_set():
                try:
                    async with connect(
                        ws_url, additional_headers={"Cookie": cookie}, origin=None
                    ) as ws:
                        await self.follow(client, ws, stop)
                except BROKEN as exc:
                    # The server restarted, the network blinked or a read timed out: back into
                    # the room, whose first view names the stage again (what is done stays done).
                    print(f"{self.name}: {type(exc).__name__}, reconnecting", file=sys.stderr)
                    await asyncio.sleep(0.5)

    async def follow(self, client: httpx.AsyncClient, ws: Any, stop: asyncio.Event) -> None:
        async for message in ws:
            # A phase or a case comes with a new stage: only then can there be something to do.
            stage = STAGE.search(str(message))
            if stage is None or stage.group(1) not in ASKING:
                continue
            state = (await client.get("/api/me")).json()
            if state.get("status") == "ended":
                stop.set()
                return
            for message in self.actions(state):
                if self.think:
                    await asyncio.sleep(self.rng.uniform(0, self.think))
                await ws.send(json.dumps({"id": uuid.uuid4().hex, **message}))

    def actions(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        """What this phone does in the state it sees; each step once per case and round."""
        case, phase = state.get("case"), state.get("phase")
        out: list[dict[str, Any]] = []
        if state.get("vote_round") and not state.get("my_vote") and state["options"]:
            key = ("vote", case, state["vote_round"])
            if key not in self.done:
                self.done.add(key)
                reason = self.rng.choice(REASONS) if state["vote_round"] == 1 else ""
                out.append(
                    {
                        "action": "vote",
                        "case": case,
                        "option": self.rng.choice(state["options"]),
                        "reason": reason,
                    }
                )
        if (
            phase == "group_answer"
            and state.get("answer_version") == 0
            and ("answer", case) not in self.done
        ):
            self.done.add(("answer", case))
            out.append(
                {
                    "action": "answer",
                    "case": case,
                    # An open discussion has no options: the group answers in words only.
                    "option": self.rng.choice(state["options"]) if state["options"] else "",
                    "text": f"Vi hælder til dette, fordi {self.rng.choice(REASONS).lower()}",
                    "base_version": 0,
                }
            )
        return out


async def simulate(
    base_url: str,
    code: str,
    participants: int,
    seed: int | None = None,
    think: float = 1.0,
    read_timeout: float = READ_TIMEOUT,
) -> int:
    """Run N bots until the facilitator ends the session (or Ctrl-C), or until every bot has
    stopped on an error; returns how many did (each says why on stderr)."""
    rng = random.Random(seed)
    stop = asyncio.Event()
    # Loaded once for all bots: httpx loads the CA bundle anew for each client (~45 ms of CPU).
    trust = httpx.create_ssl_context()
    bots = [
        Bot(
            base_url.rstrip("/"),
            code,
            f"Bot {i + 1}",
            random.Random(rng.random()),
            think=think,
            read_timeout=read_timeout,
            trust=trust,
        )
        for i in range(participants)
    ]
    running = {asyncio.create_task(bot.run(stop), name=bot.name) for bot in bots}
    ended = asyncio.create_task(stop.wait())
    failed = 0
    while running and not stop.is_set():
        done, _ = await asyncio.wait({*running, ended}, return_when=asyncio.FIRST_COMPLETED)
        for task in done & running:
            running.discard(task)
            # A bot only returns when the session ends: anything else is a fault, said aloud
            # rather than a phone that quietly leaves the room.
            if (error := task.exception()) is not None:
                failed += 1
                print(
                    f"{task.get_name()} stopped: {type(error).__name__}: {error}", file=sys.stderr
                )
    for task in (*running, ended):
        task.cancel()
    await asyncio.gather(*running, ended, return_exceptions=True)
    return failed
