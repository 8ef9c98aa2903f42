"""`sparring simulate` joins bot phones that vote and answer; the projector sees them do it."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import threading

from tests.utils.clients import Facilitator, Projector
from tests.utils.server import LiveServer


def test_simulated_phones_follow_the_room(server: LiveServer, facilitator: Facilitator) -> None:
    code = facilitator.create_session("Simulation", ["kl-17-ai-som-arbejdsredskab"])
    bots = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "simulate",
            "--code",
            code,
            "--participants",
            "9",
            "--url",
            server.url,
            "--think",
            "0.05",
            "--seed",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        asyncio.run(_drive(server, facilitator, code))
        assert bots.wait(timeout=20) == 0, "simulate stops by itself when the session ends"
    finally:
        bots.kill()


async def _drive(server: LiveServer, fac: Facilitator, code: str) -> None:
    projector = Projector(server.url, code, fac.cookie())
    await projector.connect()
    await projector.shows("proj-stage", "9 er med", timeout=20)
    fac.act(code, "start")
    await projector.shows("progress", "2 grupper")
    fac.act(code, "phase", action="vote")
    await projector.shows("progress", "9 af 9 til stede har stemt", timeout=15)
    fac.act(code, "phase", action="group_answer")
    await projector.shows("progress", "2 af 2 grupper har svaret", timeout=15)
    fac.act(code, "phase", action="reveal")
    await projector.shows("proj-stage", "Stemmefordeling")
    fac.act(code, "phase", action="revote")
    await projector.shows("progress", "9 af 9 til stede har stemt", timeout=15)
    fac.act(code, "end")
    await projector.shows("proj-stage", "Tak for i dag")
    await projector.close()


class StallingProxy:
    """A real TCP proxy between the bots and the server that can hold their state reads: while
    `stalling`, a request for /api/me is not passed on and its connection goes quiet, as from a
    server too busy to answer in time (`held` counts them). Everything else passes as it is."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.stalling = False
        self.held = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> StallingProxy:
        self.thread.start()
        listening = asyncio.start_server(self.serve, "127.0.0.1", 0)
        self.server = asyncio.run_coroutine_threadsafe(listening, self.loop).result(5)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    async def close(self) -> None:
        self.server.close()
        connections = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        back = asyncio.create_task(self.pipe(up_reader, writer))
        try:
            with contextlib.suppress(OSError):
                while chunk := await reader.read(65536):
                    if self.stalling and chunk.startswith(b"GET /api/me "):
                        self.held += 1
                        await reader.read()  # quiet until the bot gives up and hangs up
                        break
                    up_writer.write(chunk)
                    await up_writer.drain()
        finally:
            back.cancel()
            up_writer.close()
            writer.close()

    @staticmethod
    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """The server's bytes to the bot; its hang-up too (a websocket's close waits for it)."""
        with contextlib.suppress(OSError):
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        writer.close()


def test_a_bot_whose_read_times_out_rejoins_and_answers(
    server: LiveServer, facilitator: Facilitator
) -> None:
    """A busy server that answers the bots' reads too late costs them the read, not the room."""
    code = facilitator.create_session("Travl server", ["kl-17-ai-som-arbejdsredskab"])
    with StallingProxy(server.port) as proxy:
        command = [sys.executable, "-m", "app.cli", "simulate", "--url", proxy.url, "--code", code]
        # Held reads wait out the timeout; a loaded machine must not time out a join with it.
        command += ["--participants", "4", "--think", "0", "--seed", "3", "--read-timeout", "3"]
        bots = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            asyncio.run(_stall(server, facilitator, code, proxy))
            assert bots.wait(timeout=20) == 0
        finally:
            bots.kill()
        said = bots.stderr.read().decode() if bots.stderr else ""
    for bot in range(1, 5):  # each gave up on its held read at least once, and came back
        assert f"Bot {bot}: ReadTimeout, reconnecting" in said, said


async def _stall(server: LiveServer, fac: Facilitator, code: str, proxy: StallingProxy) -> None:
    projector = Projector(server.url, code, fac.cookie())
    await projector.connect()
    await projector.shows("proj-stage", "4 er med", timeout=20)
    fac.act(code, "start")
    fac.act(code, "phase", action="vote")
    await projector.shows("progress", "4 af 4 til stede har stemt", timeout=15)
    proxy.stalling = True  # each bot's read of the new phase is held past its timeout
    fac.act(code, "phase", action="group_answer")
    await held(proxy, 4)
    proxy.stalling = False
    await projector.shows("progress", "Alle grupper har svaret", timeout=15)
    fac.act(code, "end")
    await projector.shows("proj-stage", "Tak for i dag")
    await projector.close()


async def held(proxy: StallingProxy, reads: int, timeout: float = 15.0) -> None:
    """Until the proxy holds that many reads (a condition, checked every 20 ms)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while proxy.held < reads:
        assert loop.time() < deadline, f"{proxy.held} reads held, not {reads}"
        await asyncio.sleep(0.02)


def test_bots_that_cannot_join_say_why_and_simulate_ends_with_an_error(
    server: LiveServer,
) -> None:
    """A wrong code (a typo at a rehearsal) ends the command with each bot's reason, not a silent
    wait for a session that never comes."""
    command = [sys.executable, "-m", "app.cli", "simulate", "--url", server.url, "--code", "ZZ99ZZ"]
    bots = subprocess.run(
        [*command, "--participants", "3", "--think", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bots.returncode == 1, bots
    for bot in range(1, 4):
        assert f"Bot {bot} stopped: RuntimeError: Bot {bot} could not join" in bots.stderr
    assert "3 af 3 bot-telefoner stoppede med en fejl" in bots.stderr
