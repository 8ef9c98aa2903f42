"""`sparring simulate` joins bot phones that vote and answer; the projector sees them do it."""

from __future__ import annotations

import asyncio
import subprocess
import sys

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
