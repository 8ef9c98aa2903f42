"""A crowd's group answer in one writer batch (SQLite and PostgreSQL): every phone of several
groups saves at once, each with its own draft. One save per group wins; each refused phone's reply
moves its form's base to its own group's saved version and shows that version beside the draft
the phone keeps (the form is not replaced). It is rendered once per group for the batch's replies
(app.views.phone_reply): two groups' winners in the same batch must not be mixed up, nor a draft
shown on another phone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from markupsafe import escape
from sqlalchemy import Engine, text
from sqlmodel import Session as Db

from app import library, web
from app.commands import control
from app.commands.messages import Page, PhoneMessage
from app.export import wording
from app.writer import run_alone, write
from tests.utils.rooms import SEED, started_room


@pytest.fixture
def seven_duties(engine: Engine) -> Iterator[None]:
    """The forms' duty lists as a server has them (the library's seven), restored afterwards."""
    before = (dict(wording.DUTIES), web.templates.env.globals["THRESHOLD"])
    with Db(engine) as db:
        lib, _ = library.seed_library(db, SEED)
        db.commit()
    web.configure(lib.duty_map(), 3)
    yield
    web.configure(*before)


def test_each_refused_phone_keeps_its_draft_and_sees_its_own_groups_saved_version(
    engine: Engine, seven_duties: None
) -> None:
    code, who = started_room(engine, 12)  # three groups of four
    with Db(engine) as db:
        sid = db.exec(text("SELECT id FROM session WHERE code = :c"), params={"c": code}).one()[0]
        rows = db.exec(
            text("SELECT id, group_id FROM participant WHERE session_id = :s ORDER BY id"),
            params={"s": sid},
        ).all()
        case = db.exec(text("SELECT id FROM sessioncase WHERE session_id = :s"), params={"s": sid})
        case_id = case.one()[0]
    run_alone(engine, control.change_phase, code, who, "group_answer", True)
    pages = [Page(sid, pid, duties={"lovlighed", "sandhed"}) for pid, _ in rows]
    group = {page: gid for page, (_, gid) in zip(pages, rows, strict=True)}
    assert len(set(group.values())) == 3

    def draft(page: Page) -> str:
        # Markup in a draft comes back as text, escaped as the page's own form would show it.
        return f'Udkast fra deltager {page.participant_id} i gruppe {group[page]}: <b>"&"</b>'

    def duty(n: int) -> str:
        return ("lovlighed", "sandhed", "")[n % 3]

    messages = [
        PhoneMessage(
            page,
            {
                "action": "answer",
                "id": uuid.uuid4().hex,
                "case": case_id,
                "option": "AB"[n % 2],
                "duty": duty(n),
                "text": draft(page),
                "base_version": "0",
            },
        )
        for n, page in enumerate(pages)
    ]
    answers = write(engine, list(messages))  # one batch, as a crowd arrives
    assert all(ok for ok, _ in answers), answers

    winners: dict[int, str] = {}  # group: the draft that was saved
    for page, (_, reply) in zip(pages, answers, strict=True):
        if 'class="conflict"' not in reply:
            assert "version 1" in reply
            winners.setdefault(group[page], draft(page))
    assert len(winners) == 3  # one per group, the first of each
    for page, (_, reply) in zip(pages, answers, strict=True):
        own = draft(page)
        if own == winners[group[page]]:
            textarea = re.search(r'<textarea id="answer-text"[^>]*>(.*?)</textarea>', reply, re.S)
            assert textarea is not None and textarea.group(1) == escape(own)
            continue
        # The phone keeps its draft and choices where they are: no form, nobody's draft.
        assert 'id="answer-form"' not in reply
        assert not any(escape(draft(p)) in reply for p in pages if draft(p) != winners[group[page]])
        assert re.findall(r'name="base_version" value="(\d+)"', reply) == ["1"], reply
        saved = re.search(r'<div class="conflict-saved" data-take-text="([^"]*)"', reply)
        assert saved is not None, reply
        assert saved.group(1) == escape(winners[group[page]])  # its own group's winner
        first = next(m for m in messages if draft(m.page) == winners[group[page]])
        assert f'data-take-option="{first.message["option"]}"' in reply
        assert f'data-take-duty="{first.message["duty"]}"' in reply
        assert "Gemt af en anden i gruppen (version 1)" in reply


def test_a_double_tap_on_save_is_saved_once_and_not_a_conflict(engine: Engine) -> None:
    code, who = started_room(engine, 4)
    with Db(engine) as db:
        sid = db.exec(text("SELECT id FROM session WHERE code = :c"), params={"c": code}).one()[0]
        pid = db.exec(text("SELECT id FROM participant WHERE session_id = :s"), params={"s": sid})
        first = pid.first()
        assert first is not None
        case = db.exec(text("SELECT id FROM sessioncase WHERE session_id = :s"), params={"s": sid})
        case_id = case.one()[0]
    run_alone(engine, control.change_phase, code, who, "group_answer", True)
    page = Page(sid, first[0])

    def save(words: str, batch: int) -> str:
        message = {"action": "answer", "case": case_id, "option": "A", "text": words}
        taps = [
            PhoneMessage(page, {**message, "id": uuid.uuid4().hex, "base_version": "0"})
            for _ in range(batch)
        ]
        replies = write(engine, list(taps))
        assert all(ok for ok, _ in replies), replies
        return str(replies[-1][1])

    # Both presses carry version 0: in one batch, and the second after the first's commit.
    for reply in (save("Vi gør det lovlige.", 2), save("Vi gør det lovlige.", 1)):
        assert 'class="conflict"' not in reply
        assert "Gruppens svar er gemt (version 1)" in reply
    # Other words over the saved version are still a conflict: the draft is kept beside it.
    assert 'class="conflict"' in save("Noget andet.", 1)
    with Db(engine) as db:
        saved = db.exec(text("SELECT version, text FROM groupanswer")).all()
    assert [tuple(row) for row in saved] == [(1, "Vi gør det lovlige.")]
