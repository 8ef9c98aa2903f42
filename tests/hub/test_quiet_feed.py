"""A worker's feed with only phones on it reads nothing for a reason saved with a vote: phones
show their group's texts only while the groups talk. Three workers each re-read the reasons of
every group that voted (a tenth of their CPU in a crowd's vote with reasons) to render nothing.
From the discussion on, the same event is read and pushed to the group's phones."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event
from sqlmodel import Session as Db
from sqlmodel import select

from app.commands import control
from app.config import Settings
from app.db import make_engine
from app.feed import Feeds
from app.hub import published, session_channel
from app.hub.memory import MemoryHub
from app.live_rules import Audience
from app.models import Participant, Session
from app.writer import run_alone
from tests.utils.rooms import started_room


@dataclass(eq=False)
class Phone:
    """An open phone page as the feed sees it (app.feed.Page): what it was sent."""

    participant_id: int
    group_id: int | None = None
    audience: Audience = Audience.PARTICIPANT
    base_url: str = "http://test"
    language: str = "da"
    user_id: int | None = None
    saving: bool = False
    answer_shown: tuple[int | None, int] | None = None
    sent: list[str] = field(default_factory=list)

    def send(self, html: str) -> None:
        self.sent.append(html)

    def revoke(self) -> None:
        pass


def test_a_phone_only_feed_reads_nothing_for_reasons_while_voting(tmp_path: Path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path))
    code, who = started_room(engine, 8, title="Stille")
    run_alone(engine, control.change_phase, code, who, "vote", True)
    with Db(engine) as db:
        session = db.exec(select(Session).where(Session.code == code)).one()
        people = db.exec(select(Participant).where(Participant.session_id == session.id)).all()
        sid, group = session.id, people[0].group_id
    assert sid is not None and group is not None
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    phones = [Phone(p.id or 0, p.group_id) for p in people]

    async def scenario() -> tuple[int, list[str], int, list[str]]:
        hub = MemoryHub()
        feeds = Feeds(engine, hub, interval=0.01)
        async with feeds.open(sid, phones[0]) as feed:
            for page in phones[1:]:
                feed.pages.add(page)
            await feed.room()  # as a page's full view would have read it
            post = {"type": "post", "session": sid, "group": group}
            before = len(statements)
            await hub.publish(session_channel(sid), published(sid, [post]))
            await asyncio.sleep(0.2)  # ten push intervals: a push would have come
            while_voting = len(statements) - before
            sent_voting = [html for page in phones for html in page.sent]
            run_alone(engine, control.change_phase, code, who, "discuss", True)
            phase = {"type": "phase", "session": sid}
            await hub.publish(session_channel(sid), published(sid, [phase]))
            members = [page for page in phones if page.group_id == group]
            for page in phones:
                page.sent.clear()
            await asyncio.wait_for(_until(lambda: all(p.sent for p in phones)), 10)
            for page in phones:
                page.sent.clear()
            before = len(statements)
            await hub.publish(session_channel(sid), published(sid, [post]))
            await asyncio.wait_for(_until(lambda: all(p.sent for p in members)), 10)
            return while_voting, sent_voting, len(statements) - before, members[0].sent

    while_voting, sent_voting, while_talking, pushed = asyncio.run(scenario())
    engine.dispose()
    assert while_voting == 0 and sent_voting == []
    assert while_talking > 0  # the group's reasons read again
    assert any('id="group-posts"' in html for html in pushed)
    assert not any(p.sent for p in phones if p.group_id != group)


async def _until(done: Callable[[], bool]) -> None:
    while not done():
        await asyncio.sleep(0.01)
