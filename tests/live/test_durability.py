"""Faults: a SIGKILL while phones vote, 100 votes at once, resends, a phase change racing votes,
refusals among many votes (the server commits waiting messages together, each under its own
savepoint), and a crowd of state-changing requests.

Every test runs on SQLite and on PostgreSQL (skipped where there is none), against a real server
process with real websocket clients, and checks the database itself afterwards.
"""

from __future__ import annotations

import asyncio
import os
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


# The phones' messages written by the server's own thread (SQLite, PostgreSQL) or by a process of
# their own beside the facilitator's thread writer (app.phone_writer), on PostgreSQL.
SETUPS = {"sqlite": {}, "postgresql": {}, "phone writer process": {"SPARRING_WRITER_PROCESS": "1"}}


@pytest.fixture(scope="module", params=list(SETUPS))
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/sparring.db", {}
        return
    postgres = pytest.importorskip("tests.utils.postgres")
    with postgres.fresh_database() as url:
        yield url, SETUPS[request.param]


@pytest.fixture(scope="module")
def database_url(setup: tuple[str, dict[str, str]]) -> str:
    return setup[0]


@pytest.fixture(scope="module")
def live(
    setup: tuple[str, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    url, env = setup
    server = LiveServer(
        Path(tmp_path_factory.mktemp("live")), env={"SPARRING_DATABASE_URL": url, **env}
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


REASONS = """
    SELECT p.number, t.text FROM post t JOIN participant p ON p.id = t.participant_id
    JOIN session s ON s.id = p.session_id WHERE s.code = :code
"""
ANSWERS = """
    SELECT a.group_id, a.version, a.text FROM groupanswer a
    JOIN sessioncase c ON c.id = a.session_case_id JOIN session s ON s.id = c.session_id
    WHERE s.code = :code
"""


async def twins_of(server: LiveServer, phones: list[Phone], phase: str) -> list[Phone]:
    """A second socket of each phone's person (the same cookie): their messages can arrive
    together, so one person's messages meet in one of the writer's batches."""
    twins = []
    for phone in phones:
        twin = Phone(server.url)
        twin.cookie = phone.cookie
        await twin.connect()
        await twin.until(lambda p, t=twin: t.phase() == phase, what=phase)
        twins.append(twin)
    return twins


def test_one_persons_messages_in_one_batch_build_on_each_other(
    live: LiveServer, database_url: str
) -> None:
    """The writer reads a batch's votes and reasons up front: a person's second message in the
    same batch must find the row the first one added (not add a second), and a refused one must
    leave the other's vote and reason as they were."""

    async def scenario() -> None:
        _, code, phones = await voting_room(live, 20)
        twins = await twins_of(live, phones, "vote")

        async def both(i: int, phone: Phone, twin: Phone) -> tuple[str, str]:
            first = {"action": "vote", "case": phone.case_id(), "option": OPTIONS[i % 4]}
            second = {"action": "vote", "case": phone.case_id(), "option": OPTIONS[(i + 1) % 4]}
            first["reason"] = f"første {i}"
            second["reason"] = "x" * 2001 if i % 2 else f"anden {i}"  # odd: refused halfway
            sent = await asyncio.gather(phone.send(first), twin.send(second))
            replies = await asyncio.gather(phone.reply(sent[0]), twin.reply(sent[1]))
            return replies[0], replies[1]

        replies = await asyncio.gather(
            *(both(i, p, t) for i, (p, t) in enumerate(zip(phones, twins, strict=True)))
        )
        votes, reasons = (
            query(database_url, VOTES, code=code),
            query(database_url, REASONS, code=code),
        )
        assert len(votes) == len(reasons) == 20, (votes, reasons)
        stored, texts = dict(votes), dict(reasons)
        for i, (first, second) in enumerate(replies):
            assert f"Din stemme ({OPTIONS[i % 4]}) er gemt." == first, first
            if i % 2:
                assert "2000 tegn" in second
                assert (stored[i + 1], texts[i + 1]) == (OPTIONS[i % 4], f"første {i}")
            else:  # both stored, in either order: the option and reason of one message
                assert f"Din stemme ({OPTIONS[(i + 1) % 4]}) er gemt." == second, second
                assert (stored[i + 1], texts[i + 1]) in {
                    (OPTIONS[i % 4], f"første {i}"),
                    (OPTIONS[(i + 1) % 4], f"anden {i}"),
                }
        for phone in phones + twins:
            await phone.aclose()

    asyncio.run(scenario())


def test_group_answers_saved_at_once_keep_one_per_group_and_version(
    live: LiveServer, database_url: str
) -> None:
    """Every member saves the group's answer at the same moment: one per group is stored, the
    rest are told another saved first; a refused first save blocks nobody; the next round of
    saves over version 1 again stores exactly one per group, as version 2."""

    async def scenario() -> None:
        fac, code, phones = await voting_room(live, 20)
        assert fac.act(code, "phase", action="next") == ""
        assert fac.act(code, "phase", action="next") == ""
        for phone in phones:
            await phone.until(lambda p, ph=phone: ph.phase() == "group_answer", what="answer")
        refused = {phone.group(): n for n, phone in enumerate(phones)}  # one per group

        async def save(n: int, phone: Phone, base: int) -> tuple[Phone, str, str]:
            text = "x" * 4001 if refused.get(phone.group()) == n and not base else f"svar {n}"
            message = {"action": "answer", "case": phone.case_id(), "option": "B", "text": text}
            sent = await phone.send({**message, "base_version": str(base)})
            flash = await phone.reply(sent)
            return phone, flash, text

        def saved(results: list[tuple[Phone, str, str]], version: int) -> dict[str, str]:
            kept = {}
            for phone, flash, said in results:
                if f"Gruppens svar er gemt (version {version})" in flash:
                    assert phone.group() not in kept, "two saves of one group"
                    kept[phone.group()] = said
                elif "4000 tegn" not in flash:
                    assert "har gemt en nyere version" in phone.page.html("answer-form"), flash
            return kept

        results = await asyncio.gather(*(save(n, p, 0) for n, p in enumerate(phones)))
        first = saved(results, 1)
        assert len(first) == len(refused) and "x" * 4001 not in first.values()
        losers = [p for p, flash, _ in results if "version 1" not in flash]
        again = await asyncio.gather(*(save(100 + n, p, 1) for n, p in enumerate(losers)))
        second = saved(again, 2)
        assert len(second) == len(refused)
        rows = query(database_url, ANSWERS, code=code)
        assert sorted((version, text) for _, version, text in rows) == sorted(
            (2, text) for text in second.values()
        )
        for phone in phones:
            await phone.aclose()

    asyncio.run(scenario())


def test_a_crowd_of_state_changing_requests_all_complete(live: LiveServer) -> None:
    """More requests waiting to write than the server has worker threads, while phones vote: each
    waits for its turn without holding a thread, so the one writing always finds one."""
    if "SPARRING_WRITER_PROCESS" in live.env:
        pytest.skip("requests write through the server's own writer, as on the other setups")

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
        await self.phone.close()  # if the server did not close it: a page reloads the same way
        await self.phone.connect()
        await self.phone.until(lambda p: self.phone.phase() == "vote", what="vote phase again")
        mid, option = self.sent[-1]
        await self.phone.send({"id": mid, "action": "vote", "case": self.case, "option": option})
        await self.phone.reply(mid, timeout=30)  # a new phone writer process starts first
        self.acked.add(mid)

    @property
    def case(self) -> str:
        return self.phone.case_id()


def phone_writer(server: LiveServer) -> int:
    """The server's phone writer process (app.phone_writer): the pool's spawned child."""
    assert server.proc is not None
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text()
    for pid in children.split():
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return int(pid)
    raise AssertionError("no phone writer process")


async def until_gone(pid: int, timeout: float = 10.0) -> None:
    """Wait until process `pid` has exited (gone, or a zombie nobody reaps in a container)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return
        if state in ("Z", "X"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"process {pid} outlived its server")


@pytest.mark.parametrize("killed", ["server", "phone writer"])
def test_sigkill_while_voting_loses_no_acknowledged_vote(
    live: LiveServer, database_url: str, killed: str
) -> None:
    """The server killed outright and started again (its phone writer process, if it has one,
    goes with it); or, with a phone writer process, only that process killed mid-crowd: its
    phones are told to try again (1013) and resend, and the server starts another."""
    separate = "SPARRING_WRITER_PROCESS" in live.env
    if killed == "phone writer" and not separate:
        pytest.skip("this server writes the phones' messages in its own thread")

    async def scenario() -> None:
        _, code, phones = await voting_room(live, 12)
        voters = [Voter(phone, i) for i, phone in enumerate(phones)]
        case = phones[0].case_id()
        tasks = [asyncio.create_task(v.run()) for v in voters]
        while sum(len(v.acked) for v in voters) < 100:
            await asyncio.sleep(0.01)
        if killed == "server":
            orphan = phone_writer(live) if separate else None
            live.stop(signal.SIGKILL)
            if orphan is not None:  # it would hold the database and wait forever
                await until_gone(orphan)
        else:
            os.kill(phone_writer(live), signal.SIGKILL)
        await asyncio.gather(*tasks)
        acked_before = {mid for v in voters for mid in v.acked}
        if killed == "server":
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
