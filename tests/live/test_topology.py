"""compose.yaml's topology, run here without Docker (deploy/topology.py): Caddy with HTTPS from
its own CA, three `sparring serve` replicas, PostgreSQL and Redis of their own. Phones connect
over wss:// through Caddy from their own addresses. Then it is broken on purpose: a replica is
killed mid-vote, Redis restarted mid-case, PostgreSQL stopped and started again."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.routers.participant import JOIN_FAILURES_PER_MINUTE
from deploy.topology import PG_BIN, Topology
from tests.utils.clients import Facilitator, LivePage, Phone, Projector, arm_csrf
from tests.utils.fragments import attr

MISSING = [name for name in ("caddy", "redis-server") if shutil.which(name) is None]
if not list(PG_BIN.glob("*/bin/initdb")):
    MISSING.append("PostgreSQL's server programs")
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"missing here: {', '.join(MISSING)} (scripts/test installs Caddy)"
)
CASE = "kl-01-spareoevelsen"
PHONES = 9
RECONNECT_WITHIN = 5.0


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    running = Topology(tmp_path_factory.mktemp("topology"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


class Room:
    """A facilitator and phones through Caddy, each phone from its own loopback address."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.tls = topology.ssl_context()
        self.fac = Facilitator(topology.url, self.tls)
        self.fac.login(*topology.admin)
        self.phones: list[Phone] = []
        self.acked: dict[int, set[str]] = {}  # phone index -> message ids answered "gemt"
        self.reconnects: list[float] = []

    async def join(self, code: str, count: int) -> None:
        for n in range(count):
            phone = Phone(self.topology.url, f"P{n}", self.tls, f"127.0.1.{n + 1}")
            assert (await phone.join(code)).status_code == 303
            self.phones.append(phone)

    async def reconnect(self, page: LivePage, root: str = "phone-stage") -> None:
        """As the page does: connect again until a replica answers (through Caddy)."""
        start = time.monotonic()
        while True:
            try:
                await page.connect()
                await page.until(lambda p: bool(p.html(root)), timeout=2, what="view")
                self.reconnects.append(time.monotonic() - start)
                return
            except (OSError, ConnectionClosed, InvalidStatus, AssertionError, TimeoutError):
                assert time.monotonic() - start < 30, "no replica took the phone back"
                await asyncio.sleep(0.1)

    async def vote(self, n: int, option: str) -> None:
        """Send one vote and keep resending it with the same id until it is answered."""
        phone = self.phones[n]
        mid = uuid.uuid4().hex
        message = {"id": mid, "action": "vote", "case": phone.case_id(), "option": option}
        while True:
            try:
                assert phone.ws is not None
                phone.page.top["phone-flash"] = ""
                await phone.ws.send(json.dumps(message))
                page = await phone.until(
                    lambda p: attr(p.html("phone-flash"), "data-msg") == mid, timeout=10
                )
                if "gemt" in page.text("vote-form") or "gemt" in page.text("phone-flash"):
                    self.acked.setdefault(n, set()).add(mid)
                return
            except ConnectionClosed:
                await self.reconnect(phone)


def stored(topology: Topology, sql: str) -> list[tuple[object, ...]]:
    url = topology.environment()["SPARRING_DATABASE_URL"].replace(
        "postgresql://", "postgresql+psycopg://"
    )
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def accepted_per_replica(topology: Topology) -> list[int]:
    logs = [topology.folder / f"app-{n}.log" for n in range(topology.replicas)]
    return [len(re.findall(r'"WebSocket /ws/p" \[accepted\]', log.read_text())) for log in logs]


def test_a_case_through_caddy_survives_a_killed_replica_and_a_redis_restart(
    topology: Topology,
) -> None:
    asyncio.run(_whole_case(topology))


async def _whole_case(topology: Topology) -> None:
    room = Room(topology)
    fac = room.fac
    code = fac.create_session("Topologi", [CASE], group_size=3)
    projector = Projector(topology.url, code, fac.cookie(), room.tls)
    await projector.connect()
    await room.join(code, PHONES)
    for phone in room.phones:
        await phone.connect()
    assert sum(1 for n in accepted_per_replica(topology) if n) == topology.replicas, (
        "Caddy spread the phones over every replica",
        accepted_per_replica(topology),
    )
    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="next") == ""
    for phone in room.phones:
        await phone.until(lambda p, ph=phone: ph.phase() == "vote", what="the vote")

    # Mid-vote, one replica is killed (SIGKILL); its phones come back through Caddy.
    for n in range(PHONES // 2):
        await room.vote(n, "A")
    topology.kill(0)
    await asyncio.gather(*(room.vote(n, "B") for n in range(PHONES // 2, PHONES)))
    await asyncio.gather(*(room.vote(n, "C") for n in range(PHONES // 2)))  # revised
    assert room.reconnects, "some phones were on the killed replica"
    assert max(room.reconnects) < RECONNECT_WITHIN, room.reconnects
    votes = stored(topology, "SELECT participant_id, option FROM vote WHERE round = 1")
    assert len(votes) == PHONES and len({p for p, _ in votes}) == PHONES
    ids = stored(topology, "SELECT message_id FROM processedmessage")
    acked = set().union(*room.acked.values())
    assert acked <= {i for (i,) in ids} and len(ids) == len({i for (i,) in ids})
    assert sorted(o for _, o in votes) == sorted(
        ["C"] * (PHONES // 2) + ["B"] * (PHONES - PHONES // 2)
    )
    try:
        await projector.shows("progress", f"{PHONES} af {PHONES}", timeout=10)
    except ConnectionClosed:  # the projector was on the killed replica
        await room.reconnect(projector, "proj-stage")
        await projector.shows("progress", f"{PHONES} af {PHONES}", timeout=10)

    # Redis restarts mid-case: the pages on every replica converge on the next phase.
    topology.restart_redis()
    start = time.monotonic()
    assert fac.act(code, "phase", action="next") == ""
    for phone in room.phones:
        await phone.until(lambda p, ph=phone: ph.phase() == "discuss", timeout=10, what="discuss")
    converged = time.monotonic() - start
    assert converged < 5, converged

    # A join-code guesser behind the proxy is limited by its own address; phones keep joining.
    guesser = httpx.Client(
        base_url=topology.url,
        verify=room.tls,
        transport=httpx.HTTPTransport(local_address="127.0.2.1", verify=room.tls),
    )
    guesser.get("/")
    arm_csrf(guesser)
    statuses = [
        guesser.post("/join", data={"code": "ZZZZZZ"}).status_code
        for _ in range(JOIN_FAILURES_PER_MINUTE + 1)
    ]
    assert statuses[-1] == 429 and statuses.count(400) == JOIN_FAILURES_PER_MINUTE
    late = Phone(topology.url, "Sen", room.tls, "127.0.2.2")
    assert (await late.join(code)).status_code == 303

    # PostgreSQL stops: writes fail with a clear message, nothing acknowledged is lost, and the
    # replicas recover on their own when it is back.
    topology.postgres.stop()
    r = fac.http.post(f"/facilitator/sessions/{code}/phase", data={"action": "next"})
    assert r.status_code == 503 and "Databasen svarer ikke" in r.text, r.text[:300]
    phone = room.phones[-1]
    mid = await phone.send({"action": "reason", "case": phone.case_id(), "reason": "Min grund."})
    await phone.shows("phone-flash", "databasen svarer ikke")
    with pytest.raises(ConnectionClosed):
        await phone.until(lambda p: False, timeout=5, what="a close")
    assert phone.ws is not None and phone.ws.close_code == 1013, "try again later"
    topology.postgres.start()
    await room.reconnect(phone)
    await phone.send(
        {"id": mid, "action": "reason", "case": phone.case_id(), "reason": "Min grund."}
    )
    assert "gemt" in await phone.reply(mid)
    assert stored(topology, "SELECT count(*) FROM post WHERE text = 'Min grund.'") == [(1,)]
    assert fac.act(code, "phase", action="next") == "", "the replicas recovered without a restart"
    for each in room.phones:
        await each.until(lambda p, ph=each: ph.phase() == "group_answer", timeout=10, what="on")

    for phone in [*room.phones, late]:
        await phone.aclose()
    await projector.close()
