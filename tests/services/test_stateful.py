"""Random facilitators and participants drive a session through the services; the invariants hold.

Hypothesis picks the actions (join, start, phase moves, next case, reshuffle, moves, votes, reasons,
group answers, end); refused actions are part of the game. After every step: the tallies equal the
stored votes and what people were told was saved, nobody is in two groups, the groups are balanced
after each balancing step, and no phone shows another group's text before the reveal.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy.engine import Engine
from sqlmodel import Session as Db
from sqlmodel import col, select

from app import library, services, views
from app.cli import add_user
from app.config import Settings
from app.db import make_engine
from app.domain import RuleError, grouping
from app.domain.grouping import Mode
from app.domain.phases import Phase, Status
from app.live_rules import FULL, Audience
from app.models import Group, GroupAnswer, Participant, Post, User, Vote
from app.room import load_room


def running(machine: SessionMachine) -> bool:
    return machine.status() is Status.RUNNING


def in_lobby(machine: SessionMachine) -> bool:
    return machine.status() is Status.LOBBY


CASES = ["kl-01-spareoevelsen", "kl-02-den-inhabile-udvalgsformand"]
PHASE_ACTIONS = ["next"] * 6 + ["back", "skip", *[p.value for p in Phase]]  # mostly forward


class SessionMachine(RuleBasedStateMachine):
    engine: Engine
    user_id: int

    def __init__(self) -> None:
        super().__init__()
        self.db = Db(self.engine)
        self.people: list[int] = []  # participant ids in joining order
        self.saved_votes: dict[tuple[int, int, int], str] = {}  # (case, round, person) -> option
        self.balanced = False  # whether the last group change was a balancing step

    @initialize(size=st.integers(3, 5), people=st.integers(0, 12), started=st.booleans())
    def create(self, size: int, people: int, started: bool) -> None:
        user = self.db.get(User, self.user_id)
        assert user is not None
        self.session = services.create_session(self.db, user, "Egenskaber", CASES, size)
        self.join(people, "")
        if started:
            self.start(0)

    def teardown(self) -> None:
        self.db.close()

    def status(self) -> Status:
        return Status(self.session.status)

    def attempt(self, command: object) -> bool:
        """Run a service command; a refusal (RuleError) leaves the database as it was."""
        assert callable(command)
        try:
            command()
        except (RuleError, services.AnswerConflict):
            self.db.rollback()
            return False
        return True

    def person(self, index: int) -> Participant | None:
        if not self.people:
            return None
        return self.db.get(Participant, self.people[index % len(self.people)])

    # Facilitator --------------------------------------------------------------------------------

    @rule(count=st.integers(1, 7), alias=st.sampled_from(["", "Anna"]))
    def join(self, count: int, alias: str) -> None:
        def go() -> None:
            _, person, _ = services.join(self.db, self.session.code, alias)
            assert person.id is not None
            self.people.append(person.id)
            self.balanced = False

        for _ in range(count):
            self.attempt(go)

    @precondition(in_lobby)
    @rule(seed=st.integers(0, 1000))
    def start(self, seed: int) -> None:
        if self.attempt(lambda: services.start_session(self.db, self.session, random.Random(seed))):
            self.balanced = True

    @precondition(running)
    @rule(action=st.sampled_from(PHASE_ACTIONS))
    def phase(self, action: str) -> None:
        self.attempt(lambda: services.change_phase(self.db, self.session, action))

    @precondition(running)
    @rule(reshuffle=st.booleans(), seed=st.integers(0, 1000))
    def next_case(self, reshuffle: bool, seed: int) -> None:
        rng = random.Random(seed)
        if self.attempt(
            lambda: services.next_case(
                self.db, self.session, Mode.RANDOM if reshuffle else Mode.KEEP, rng
            )
        ):
            self.balanced = self.balanced or reshuffle

    @rule(seed=st.integers(0, 1000))
    def reshuffle(self, seed: int) -> None:
        if self.attempt(
            lambda: services.regroup(self.db, self.session, Mode.RANDOM, random.Random(seed))
        ):
            self.balanced = True

    @rule(participant=st.integers(1, 12), group=st.integers(1, 4))
    def move(self, participant: int, group: int) -> None:
        if self.attempt(
            lambda: services.move_participant(self.db, self.session, participant, group)
        ):
            self.balanced = False

    @precondition(running)
    @rule()
    def end(self) -> None:
        self.attempt(lambda: services.end_session(self.db, self.session))

    # Participants -------------------------------------------------------------------------------

    @precondition(running)
    @rule(ballots=st.lists(st.tuples(st.integers(0, 11), st.sampled_from("ABCDE")), max_size=8))
    def votes(self, ballots: list[tuple[int, str]]) -> None:
        for who, option in ballots:
            person = self.person(who)
            if person is None:
                continue
            room = load_room(self.db, self.session)
            case, round_ = room.current, room.vote_round
            if self.attempt(
                lambda p=person, o=option: services.vote(self.db, self.session, p, None, o, None)
            ):
                assert case is not None and case.id is not None and round_ is not None
                assert person.id is not None
                self.saved_votes[(case.id, round_, person.id)] = option

    @precondition(running)
    @rule(writers=st.lists(st.integers(0, 11), min_size=1, max_size=8))
    def reasons(self, writers: list[int]) -> None:
        for who in writers:
            person = self.person(who)
            if person is not None:
                text = f"begrundelse-p{person.id}-s{self.session.position}"
                self.attempt(
                    lambda p=person, t=text: services.save_reason(self.db, self.session, p, None, t)
                )

    @precondition(running)
    @rule(who=st.integers(0, 11), option=st.sampled_from(["", "A", "B"]), stale=st.booleans())
    def answer(self, who: int, option: str, stale: bool) -> None:
        person = self.person(who)
        if person is None or person.group_id is None:
            return
        room = load_room(self.db, self.session)
        saved = room.answers.get(person.group_id)
        base = (saved.version if saved else 0) - (1 if stale else 0)
        text = f"gruppesvar-g{person.group_id}-s{self.session.position}"
        self.attempt(
            lambda: services.save_group_answer(
                self.db, self.session, person, None, option, text, base
            )
        )

    # Invariants ---------------------------------------------------------------------------------

    @invariant()
    def counts_equal_stored_votes(self) -> None:
        if not hasattr(self, "session"):
            return
        room = load_room(self.db, self.session)
        case = room.current
        if case is None or case.id is None:
            return
        for round_ in (1, 2):
            stored = self.db.exec(
                select(Vote).where(Vote.session_case_id == case.id, Vote.round == round_)
            ).all()
            told = {
                p: o for (c, r, p), o in self.saved_votes.items() if c == case.id and r == round_
            }
            assert {v.participant_id: v.option for v in stored} == told
            assert {k: n for k, n in room.split(round_).items() if n} == dict(
                Counter(told.values())
            )

    @invariant()
    def everyone_in_one_active_group_and_balanced(self) -> None:
        if not hasattr(self, "session") or self.session.position < 0:
            return
        groups = {
            g.id
            for g in self.db.exec(
                select(Group).where(Group.session_id == self.session.id, col(Group.active))
            )
        }
        people = self.db.exec(
            select(Participant).where(Participant.session_id == self.session.id)
        ).all()
        assert all(p.group_id in groups for p in people), "someone outside the active groups"
        if self.balanced:
            sizes = sorted(Counter(p.group_id for p in people).values())
            if len(people) >= grouping.MIN_SIZE:
                assert all(grouping.MIN_SIZE <= n <= grouping.MAX_SIZE for n in sizes), sizes
            else:
                assert len(sizes) <= 1

    @invariant()
    def no_phone_sees_another_groups_text_before_reveal(self) -> None:
        if not hasattr(self, "session") or self.session.position < 0:
            return
        room = load_room(self.db, self.session)
        cases = [c.id for c in room.cases]
        posts = self.db.exec(select(Post).where(col(Post.session_case_id).in_(cases))).all()
        answers = self.db.exec(
            select(GroupAnswer).where(col(GroupAnswer.session_case_id).in_(cases))
        ).all()
        if not posts and not answers:
            return
        for reader in room.participants:
            screen = views.participant(room, reader, FULL[Audience.PARTICIPANT])
            for post in posts:
                writer = self.db.get(Participant, post.participant_id)
                assert writer is not None
                if post.participant_id != reader.id and writer.group_id != reader.group_id:
                    assert post.text not in screen, "another group's reason is shown"
            if not room.results_visible:
                for answer in answers:
                    if answer.group_id != reader.group_id:
                        assert answer.text not in screen, "another group's answer before reveal"


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    # In memory-backed storage: every step commits with fsync, and this test takes many steps.
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
        yield from _engine(Path(tmp))


def _engine(data_dir: Path) -> Iterator[Engine]:
    engine = make_engine(Settings(data_dir=data_dir))
    with Db(engine) as db:
        library.seed_library(db, Settings().seed_dir)
        user = add_user(db, "fac", "hemmelig-kode-til-test", "facilitator")
        SessionMachine.user_id = user.id or 0
    yield engine
    engine.dispose()


def test_session_invariants(engine: Engine) -> None:
    SessionMachine.engine = engine
    run = SessionMachine.TestCase
    run.settings = settings(
        max_examples=15,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    run().runTest()
