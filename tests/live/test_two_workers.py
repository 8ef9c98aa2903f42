"""Two server processes on one PostgreSQL database and one Redis: any worker serves any page.

Phones on worker A, projector and facilitator on worker B. Then A dies, and its phones carry on
through B, as they would behind a load balancer without sticky sessions.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.clients import Facilitator, Phone, Projector
from tests.utils.postgres import postgres_missing
from tests.utils.redis import redis_missing
from tests.utils.server import FACILITATOR, LiveServer, two_replicas

pytestmark = pytest.mark.skipif(
    bool(postgres_missing() or redis_missing()),
    reason=postgres_missing() or redis_missing() or "PostgreSQL and Redis are here",
)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    with two_replicas(tmp_path) as pair:
        yield pair


def test_phones_on_one_worker_projector_and_control_on_another(
    workers: tuple[LiveServer, LiveServer],
) -> None:
    asyncio.run(_two_workers(*workers))


async def _two_workers(a: LiveServer, b: LiveServer) -> None:
    fac = Facilitator(b.url)
    fac.login(*FACILITATOR)
    code = fac.create_session("To maskiner", ["kl-01-spareoevelsen"], group_size=3)
    projector = Projector(b.url, code, fac.cookie())
    await projector.connect()

    phones = [Phone(a.url, f"Alias{n}x") for n in range(6)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    await projector.shows("proj-stage", "6 er med")

    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="next") == ""
    for phone, option in zip(phones, "ABCABC", strict=True):
        await phone.shows("phone-stage", "Hvad ville du gøre?")
        await phone.vote(option, reason=f"Begrundelse fra {phone.alias}")
    await projector.shows("progress", "6 af 6 til stede har stemt")

    assert fac.act(code, "phase", action="next") == ""
    for phone in phones:
        await phone.until(lambda p, ph=phone: ph.phase() == "discuss", what="discuss on A")

    # Worker A dies without a goodbye; the phones come back through B, in the same phase.
    a.stop(signal.SIGKILL)
    for phone in phones:
        phone.ws_url = b.url.replace("http", "ws", 1) + "/ws/p"
        await phone.connect()
        await phone.until(lambda p, ph=phone: ph.phase() == "discuss", what="discuss on B")
        assert "Begrundelse fra" in phone.page.text("group-posts")

    assert fac.act(code, "phase", action="next") == ""
    writer = phones[0]
    await writer.shows("phone-stage", "Gruppens begrundelse")
    await writer.answer("B", "Vi mener B.", base_version=0)
    await writer.shows("answer-form", "Gruppens svar er gemt (version 1)")
    await projector.shows("progress", "1 af 2 grupper har svaret")

    for page in [*phones, projector]:
        await page.close()
    for phone in phones:
        await phone.http.aclose()
