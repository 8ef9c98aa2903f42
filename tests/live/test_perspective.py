"""The case's perspective: in no view and no push before the reveal, then on projector and phones."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml

from tests.utils.clients import Facilitator, Phone, Projector
from tests.utils.server import LiveServer

SLUG = "kl-01-spareoevelsen"
SEED = Path(__file__).resolve().parents[2] / "seed" / "cases" / f"{SLUG}.yaml"


def test_the_perspective_waits_for_the_reveal_on_every_screen(
    server: LiveServer, facilitator: Facilitator
) -> None:
    perspective = yaml.safe_load(SEED.read_text("utf-8"))["perspective"]["text"]
    needle = perspective[:60]

    async def run() -> None:
        code = facilitator.create_session("Perspektiv", [SLUG], group_size=3)
        projector = Projector(server.url, code, facilitator.cookie())
        await projector.connect()
        phones = [Phone(server.url) for _ in range(3)]
        for phone in phones:
            await phone.join(code)
        assert facilitator.act(code, "start") == ""
        for action in ("vote", "discuss", "group_answer"):
            assert facilitator.act(code, "phase", action=action) == ""
            await projector.until(lambda p, a=action: projector.phase() == a, what=action)
            for phone in phones:
                assert needle not in (await phone.http.get("/p")).text
            assert needle not in facilitator.http.get(f"/projector/{code}").text
        await phones[0].shows("phone-stage", "Gruppens begrundelse")
        await phones[0].answer("A", "Vi siger fra på skrift.", base_version=0)
        await projector.shows("progress", "Alle grupper har svaret")
        for page in [projector, *phones]:
            assert not any(needle in message for message in page.received), "pushed too early"

        assert facilitator.act(code, "phase", action="next") == ""
        assert facilitator.act(code, "step", step=2) == ""  # split, answers, perspective
        await projector.shows("perspective", needle)
        assert "Kodeks for forvaltningens betjening af politikerne" in projector.page.text(
            "perspective"
        )
        for phone in phones:
            await phone.shows("perspective", needle)
            await phone.close()
        await projector.close()

    asyncio.run(run())
