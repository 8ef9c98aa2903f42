"""Faults: a SIGKILL while phones vote, 100 votes at once, resends, a phase change racing votes,
refusals among many votes (the server commits waiting messages together, each under its own
savepoint), and a crowd of state-changing requests.

Every test runs on SQLite and on PostgreSQL (skipped where there is none), against a real server
process with real websocket clients, and checks the database itself afterwards.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from websockets.exceptions import ConnectionClosed

from tests.utils.clients import Facilitator, Phone, arm_csrf
from tests.utils.server import FACILITATOR, LiveServer

CASES = ["kl-01-spareoevelsen"]
OPTIONS = "ABCD"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/sparring.db"
        return
    postgres = pytest.importorskip("tests.utils.postgres")
    with postgres.fresh_database() as url:
        yield url


@pytest.fixture(scope="module")
def live(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(
        Path(tmp_path_factory.mktemp("live")), env={"SPARRING_DATABASE_URL": database_url}
    )
    server.add_facilitator()
    server.start()
    yield server
    server.stop()


def query(url: str, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


VOTES = """
    SELECT p.number, v.option FROM vote v JOIN participant p ON p.id = v.participant_id
    JOIN session s ON s.id = p.session_id WHERE s.code = :code AND v.round = 1
"""
MESSAGE_IDS = """
    SELECT m.message_id FROM processedmessage m JOIN participant p ON p.id = m.participant_id
    JOIN session s ON s.id = p.session_id WHERE s.code = :code
"""


async def voting_room(server: LiveServer, people: int) -> tuple[Facilitator, str, list[Phone]]:
    fac = Facilitator(server.url)
    fac.login(*FACILITATOR)
    code = fac.create_session("Fejltest", CASES)
    phones = [Phone(server.url) for _ in range(people)]
    for phone in phones:  # sockets afterwards: this test is about votes, not about the lobby
        assert (await phone.join(code, connect=False)).status_code == 303
    assert fac.act(code, "start") == ""
    assert fac.act(code, "phase", action="next") == ""
    for first in range(0, people, 10):  # ten at a time: handshakes stay within their timeout
        await asyncio.gather(*(phone.connect() for phone in phones[first : first + 10]))
    for phone in phones:
        await phone.until(lambda p, ph=phone: ph.phase() == "vote", what="vote phase")
    return fac, code, phones


async def vote(phone: Phone, option: str, mid: str | None = None) -> tuple[str, str]:
    message = {"action": "vote", "case": phone.case_id(), "option": option}
    sent = await phone.send({"id": mid, **message} if mid else message)
    return sent, await phone.reply(sent)


def test_hundred_concurrent_votes_give_exactly_hundred(live: LiveServer, database_url: str) -> None:
    async def scenario() -> None:
        _, code, phones = await voting_room(live, 100)
        replies = await asyncio.gather(
            *(vote(phone, OPTIONS[i % 4]) for i, phone in enumerate(phones))
        )
        assert all("er gemt" in flash for _, flash in replies), replies
        stored = query(database_url, VOTES, code=code)
        assert len(stored) == 100
        assert sorted(number for number, _ in stored) == list(range(1, 101))
        for phone in phones:
            await phone.aclose()

    asyncio.run(scenario())


def test_same_id_is_stored_once_and_a_reused_id_is_refused(
    live: LiveServer, database_url: str
) -> None:
    async def scenario() -> None:
        _, code, [phone] = await voting_room(live, 1)
        first, flash = await vote(phone, "A", mid="message-0001")
        assert "Din stemme (A) er gemt" in flash
        _, flash = await vote(phone, "B", mid="message-0002")
        assert "Din stemme (B) er gemt" in flash
        # A late resend of the first message is acknowledged but not applied again.
        _, flash = await vote(phone, "A", mid=first)
        assert "er gemt" not in flash and "Din stemme (B) er gemt" in phone.page.text("vote-form")
        # The same id with other content is refused and changes nothing.
        _, flash = await vote(phone, "C", mid=first)
        assert "allerede brugt" in flash
        # A message without a usable id is refused too.
        await phone.send('{"action": "vote", "option": "D"}')
        await phone.shows("phone-flash", "mangler et gyldigt id")
        assert query(database_url, VOTES, code=code) == [(1, "B")]
        assert sorted(r[0] for r in query(database_url, MESSAGE_IDS, code=code)) == [
            "message-0001",
            "message-0002",
        ]
        await phone.aclose()

    asyncio.run(scenario())


def test_phase_change_racing_votes_counts_or_refuses_each(
    live: LiveServer, database_url: str
) -> None:
    async def scenario() -> None:
        fac, code, phones = await voting_room(live, 30)
        early = [vote(phone, "A") for phone in phones[:15]]
        change = asyncio.to_thread(fac.act, code, "phase", action="next")
        late = [vote(phone, "B") for phone in phones[15:]]
        flash, *replies = await asyncio.gather(change, *early, *late)
        assert flash == ""
        acked = {mid for mid, text in replies if "er gemt" in text}
        refused = {mid for mid, text in replies if "Der kan ikke stemmes nu" in text}
        assert acked | refused == {mid for mid, _ in replies}, replies
        assert not acked & refused
        assert {r[0] for r in query(database_url, MESSAGE_IDS, code=code)} == acked
        assert len(query(database_url, VOTES, code=code)) == len(acked)
        for phone in phones:
            await phone.aclose()

    asyncio.run(scenario())


def test_refusals_among_concurrent_votes_undo_only_themselves(
    live: LiveServer, database_url: str
) -> None:
    """Sent together, so they are committed together: each refusal undoes only its own message,
    including one refused halfway (a valid vote with a reason too long: the vote goes too)."""

    async def scenario() -> None:
        _, code, phones = await voting_room(live, 40)

        async def send(i: int, phone: Phone) -> tuple[int, str]:
            message = {"action": "vote", "case": phone.case_id(), "option": OPTIONS[i % 4]}
            if i % 10 == 3:
                message["option"] = "Z"
            elif i % 10 == 7:
                message["reason"] = "x" * 2001
            return i, await phone.reply(await phone.send(message))

        replies = await asyncio.gather(*(send(i, phone) for i, phone in enumerate(phones)))
        refused = {i for i, flash in replies if "er gemt" not in flash}
        assert refused == {i for i in range(40) if i % 10 in (3, 7)}, replies
        assert all("Vælg en af mulighederne" in f for i, f in replies if i % 10 == 3), replies
        assert all("2000 tegn" in f for i, f in replies if i % 10 == 7), replies
        stored = dict(query(database_url, VOTES, code=code))
        assert stored == {i + 1: OPTIONS[i % 4] for i in range(40) if i not in refused}
        assert len(query(database_url, MESSAGE_IDS, code=code)) == 40 - len(refused)
        for phone in phones:
            await phone.aclose()

    asyncio.run(scenario())


def test_same_message_on_two_sockets_at_once_is_applied_once(
    live: LiveServer, database_url: str
) -> None:
    """A phone that reconnects and resends while its first send is still waiting to be written:
    both arrive together, both are answered, the vote and its id are stored once."""

    async def scenario() -> None:
        _, code, phones = await voting_room(live, 10)
        twins = []
        for phone in phones:
            twin = Phone(live.url)
            twin.cookie = phone.cookie
            await twin.connect()
            await twin.until(lambda p, t=twin: t.phase() == "vote", what="vote phase")
            twins.append(twin)

        async def both(i: int, phone: Phone, twin: Phone) -> list[str]:
            message = {"id": f"twice-{i:04d}", "action": "vote", "case": phone.case_id()}
            message["option"] = OPTIONS[i % 4]
            sent = await asyncio.gather(phone.send(message), twin.send(message))
            return list(await asyncio.gather(phone.reply(sent[0]), twin.reply(sent[1])))

        replies = await asyncio.gather(
            *(both(i, p, t) for i, (p, t) in enumerate(zip(phones, twins, strict=True)))
        )
        for i, (first, second) in enumerate(replies):
            assert [first, second].count(f"Din stemme ({OPTIONS[i % 4]}) er gemt.") <= 1
            assert "allerede brugt" not in first + second
        ids = [r[0] for r in query(database_url, MESSAGE_IDS, code=code)]
        assert sorted(ids) == [f"twice-{i:04d}" for i in range(10)]
        stored = dict(query(database_url, VOTES, code=code))
        assert stored == {i + 1: OPTIONS[i % 4] for i in range(10)}
        for phone in phones + twins:
            await phone.aclose()

    asyncio.run(scenario())


def test_a_crowd_of_state_changing_requests_all_complete(live: LiveServer) -> None:
    """More requests waiting to write than the server has worker threads, while phones vote: each
    waits for its turn without holding a thread, so the one writing always finds one."""

    async def scenario() -> None:
        fac, code, phones = await voting_room(live, 20)
        async with httpx.AsyncClient(base_url=live.url, timeout=60) as http:
            http.cookies.update(fac.http.cookies)
            arm_csrf(http)
            # "Keep the groups": a write transaction that changes nothing on any screen.
            requests = [
                http.post(f"/facilitator/sessions/{code}/regroup", data={"mode": "keep"})
                for _ in range(80)
            ]
            votes = [vote(phone, "A") for phone in phones]
            results = await asyncio.gather(*requests, *votes)
        responses, replies = results[:80], results[80:]
        assert [r.status_code for r in responses] == [200] * 80
        assert all("er gemt" in flash for _, flash in replies), replies
        for phone in phones:
            await phone.aclose()

    asyncio.run(scenario())


class Voter:
    """A phone that votes over and over, one message in flight, remembering what was acknowledged."""

    def __init__(self, phone: Phone, index: int) -> None:
        self.phone = phone
        self.index = index
        self.sent: list[tuple[str, str]] = []  # (id, option) in order
        self.acked: set[str] = set()

    async def run(self) -> None:
        for n in range(60):
            option = OPTIONS[(self.index + n) % 4]
            mid = f"p{self.index:03d}-m{n:04d}"
            self.sent.append((mid, option))
            try:
                await self.phone.send(
                    {"id": mid, "action": "vote", "case": self.case, "option": option}
                )
                await self.phone.reply(mid)
            except (ConnectionClosed, AssertionError, OSError):
                return  # the server died under us
            self.acked.add(mid)

    async def resend_last(self) -> None:
        """After the restart: the last message again, same id (the page's unanswered one)."""
        await self.phone.connect()
        await self.phone.until(lambda p: self.phone.phase() == "vote", what="vote phase again")
        mid, option = self.sent[-1]
        await self.phone.send({"id": mid, "action": "vote", "case": self.case, "option": option})
        await self.phone.reply(mid)
        self.acked.add(mid)

    @property
    def case(self) -> str:
        return self.phone.case_id()


def test_sigkill_while_voting_loses_no_acknowledged_vote(
    live: LiveServer, database_url: str
) -> None:
    async def scenario() -> None:
        _, code, phones = await voting_room(live, 12)
        voters = [Voter(phone, i) for i, phone in enumerate(phones)]
        case = phones[0].case_id()
        tasks = [asyncio.create_task(v.run()) for v in voters]
        while sum(len(v.acked) for v in voters) < 100:
            await asyncio.sleep(0.01)
        live.stop(signal.SIGKILL)
        await asyncio.gather(*tasks)
        acked_before = {mid for v in voters for mid in v.acked}
        live.start()
        for voter in voters:
            await voter.resend_last()
        assert case == phones[0].case_id()
        stored = dict(query(database_url, VOTES, code=code))
        ids = [r[0] for r in query(database_url, MESSAGE_IDS, code=code)]
        assert len(ids) == len(set(ids)), "an id stored twice"
        assert acked_before <= set(ids), "an acknowledged vote was lost"
        for number, voter in enumerate(voters, start=1):
            assert stored[number] == voter.sent[-1][1], (number, voter.sent[-1])
        for phone in phones:
            await phone.aclose()

    asyncio.run(scenario())
