"""Rules the server enforces on live connections: bad messages, strangers, small rooms, timers, moves."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.utils.clients import Control, Facilitator, LivePage, Phone, Projector
from tests.utils.fragments import attr
from tests.utils.server import LiveServer

CASE = ["kl-05-det-store-industriprojekt"]


def test_bad_messages_get_an_error_and_never_disturb_others(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def run() -> None:
        code = facilitator.create_session("Regler", CASE)
        rude, calm = Phone(server.url, "Rude"), Phone(server.url, "Calm")
        for phone in (rude, calm):
            await phone.join(code)
        facilitator.act(code, "start")
        facilitator.act(code, "phase", action="vote")
        for phone in (rude, calm):
            await phone.shows("phone-stage", "Hvad ville du gøre?")
        await rude.send("not json at all")
        await rude.shows("phone-flash", "Beskeden kunne ikke læses")
        await rude.send("[1, 2, 3]")
        await rude.shows("phone-flash", "Beskeden mangler en handling")
        await rude.send(
            {"action": "vote", "case": rude.case_id(), "option": "A", "reason": "x" * 70_000}
        )
        await rude.shows("phone-flash", "Beskeden er for stor")
        await rude.send({"action": "vote", "case": rude.case_id(), "option": "Q"})
        await rude.shows("phone-flash", "Vælg en af mulighederne A, B, C, D")
        await rude.send({"action": "become-facilitator"})
        await rude.shows("phone-flash", "Ukendt handling")
        # A reason that is no text is refused, not dropped from a vote acknowledged as saved.
        await rude.send({"action": "vote", "case": rude.case_id(), "option": "A", "reason": 42})
        await rude.shows("phone-flash", "Feltet »reason« skal være tekst")
        assert "er gemt" not in rude.page.text("vote-form")
        await calm.vote("B")  # the room goes on
        assert "Din stemme (B) er gemt" in calm.page.text("vote-form")
        for phone in (rude, calm):
            await phone.aclose()

    asyncio.run(run())


def test_each_phone_hears_pushes_in_its_own_language(
    server: LiveServer, facilitator: Facilitator
) -> None:
    """One feed renders every push for the session: each in the language of the page it goes to."""

    async def run() -> None:
        code = facilitator.create_session("Sprog", CASE)
        english, danish = Phone(server.url), Phone(server.url)
        await english.http.get("/lang/en")
        await english.join(code)  # the English page opens the session's feed
        await danish.join(code)
        facilitator.act(code, "start")
        facilitator.act(code, "phase", action="vote")
        await english.shows("phone-stage", "What would you do?")
        await danish.shows("phone-stage", "Hvad ville du gøre?")
        await danish.send({"action": "vote", "case": danish.case_id(), "option": "Q"})
        await danish.shows("phone-flash", "Vælg en af mulighederne A, B, C, D")
        await english.send({"action": "vote", "case": english.case_id(), "option": "Q"})
        await english.shows("phone-flash", "Choose one of the options A, B, C, D")
        for phone in (english, danish):
            await phone.aclose()

    asyncio.run(run())


def test_strangers_are_refused_on_live_sockets(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def run() -> None:
        code = facilitator.create_session("Fremmede", CASE)
        ws_base = server.url.replace("http", "ws", 1)
        for path, cookie in (
            ("/ws/p", ""),
            ("/ws/p", "sparring_p=forged"),
            (f"/ws/projector/{code}", ""),
            (f"/ws/facilitator/{code}", ""),
        ):
            async with connect(
                ws_base + path, additional_headers={"Cookie": cookie} if cookie else None
            ) as ws:
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008, path
        phone = Phone(server.url)
        await phone.join(code)
        async with connect(
            ws_base + f"/ws/facilitator/{code}", additional_headers={"Cookie": phone.cookie}
        ) as ws:
            with pytest.raises(ConnectionClosed):
                await ws.recv()
        await phone.aclose()

    asyncio.run(run())


def test_small_room_warns_and_late_joiners_fill_groups(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def run() -> None:
        code = facilitator.create_session("Lille rum", CASE, group_size=3)
        control = Control(server.url, code, facilitator)
        await control.connect()
        first = [Phone(server.url, f"P{i}") for i in range(2)]
        for phone in first:
            await phone.join(code)
        facilitator.act(code, "start")
        await control.shows("ctl-groups", "Kun 2 deltagere: alle er i én gruppe")
        late = [Phone(server.url, f"L{i}") for i in range(5)]
        for phone in late:
            await phone.join(code)
            await phone.until(lambda p, ph=phone: ph.group() != "", what="late joiner placed")
        for phone in first:
            await phone.until(lambda p, ph=phone: ph.group() != "", what="first joiners grouped")
        groups = [phone.group() for phone in first + late]
        # Two, then three more fill group 1 to five; the next two open group 2 (warned until it has 3).
        assert groups == ["1", "1", "1", "1", "1", "2", "2"], groups
        await control.shows("ctl-groups", "Gruppe 2 har kun 2 medlemmer")
        assert facilitator.act(code, "move", participant=1, group=2) == ""
        await control.until(
            lambda p: "omfordel" not in p.text("ctl-groups"), what="warning gone after move"
        )
        await first[0].shows("phone-header", "Gruppe 2")
        assert "Ukendt deltager eller gruppe" in facilitator.act(
            code, "move", participant=99, group=1
        )
        assert facilitator.act(code, "regroup", mode="random") == ""
        await control.until(
            lambda p: p.text("ctl-groups").count("Gruppe ") == 2, what="two groups after reshuffle"
        )
        for phone in first + late:
            await phone.aclose()
        await control.close()

    asyncio.run(run())


def test_timer_set_extend_and_stop_reach_every_screen(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def run() -> None:
        code = facilitator.create_session("Timer", CASE)
        projector = Projector(server.url, code, facilitator.cookie())
        await projector.connect()
        phone = Phone(server.url)
        await phone.join(code)
        facilitator.act(code, "start")
        assert facilitator.act(code, "timer", seconds=120) == ""

        def seconds(page: LivePage) -> int:
            return int(attr(page.page.html("timer"), "data-seconds") or -1)

        await projector.until(lambda p: 110 <= seconds(projector) <= 120, what="two minutes")
        await phone.until(lambda p: 110 <= seconds(phone) <= 120, what="two minutes on the phone")
        assert facilitator.act(code, "timer", seconds=60, extend=1) == ""
        await projector.until(lambda p: 170 <= seconds(projector) <= 180, what="three minutes")
        assert facilitator.act(code, "timer", seconds="") == ""
        await projector.until(lambda p: seconds(projector) == -1, what="timer stopped")
        await phone.aclose()
        await projector.close()

    asyncio.run(run())


def test_a_moved_phone_follows_its_new_groups_reasons_not_its_old(
    server: LiveServer, facilitator: Facilitator
) -> None:
    """A group's new reason goes to that group's phones only (the feed seats pages by group):
    a phone moved during the discussion gets its new group's texts and no longer its old one's."""

    async def run() -> None:
        code = facilitator.create_session("Flyttet", CASE, group_size=3)
        control = Control(server.url, code, facilitator)
        await control.connect()
        phones = [Phone(server.url, f"F{i}") for i in range(9)]  # three groups
        for phone in phones:
            await phone.join(code)
        assert facilitator.act(code, "start") == ""
        for phone in phones:
            await phone.until(lambda p, ph=phone: ph.group() != "", what="grouped")
        assert facilitator.act(code, "phase", action="discuss") == ""
        for phone in phones:
            await phone.until(lambda p, ph=phone: ph.phase() == "discuss", what="discuss")
        ones = [p for p in phones if p.group() == "1"]
        twos = [p for p in phones if p.group() == "2"]
        mover = ones[0]

        async def reason(phone: Phone, text: str) -> None:
            message = {"action": "reason", "case": phone.case_id(), "reason": text}
            assert "gemt" in await phone.reply(await phone.send(message))

        await reason(ones[1], "Før flytningen")  # the groups as they were, seen by the feed
        await mover.shows("group-posts", "Før flytningen")
        assert facilitator.act(code, "move", participant=mover.number(), group=2) == ""
        await mover.until(lambda p: mover.group() == "2", what="moved to group 2")
        await reason(twos[0], "Ny gruppe: vi taler med juristen først")
        await mover.shows("group-posts", "vi taler med juristen først")
        await reason(ones[2], "Gammel gruppe: vi venter")
        await ones[1].shows("group-posts", "vi venter")
        await reason(twos[1], "Ny gruppe igen: og med direktøren")
        await mover.shows("group-posts", "og med direktøren")
        assert "vi venter" not in mover.page.text("group-posts")
        # The control page holds every group's texts: a group's new one re-reads that group's only.
        texts = ("Før flytningen", "juristen først", "vi venter", "og med direktøren")
        await control.until(lambda p: all(t in p.text("ctl-texts") for t in texts), what="all")
        for phone in phones:
            await phone.aclose()
        await control.close()

    asyncio.run(run())
