"""A phone that saves its group's answer reads the saved answer in its own reply; the save's push
goes to the group's other phones (and the saver's other open tab), not again to the page that
was just told. A whole group saving at once got every answer twice: the reply, then the push."""

from __future__ import annotations

import asyncio

from tests.utils.clients import Facilitator, Phone
from tests.utils.server import LiveServer

CASES = ["kl-01-spareoevelsen"]
TEXT = "Vi går til direktøren, før vi svarer borgeren"


def test_the_saver_reads_the_answer_in_its_reply_and_the_group_in_a_push(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def scenario() -> None:
        code = facilitator.create_session("Svar én gang", CASES, group_size=3)
        phones = [Phone(server.url, alias=f"Person {n}") for n in range(3)]
        for phone in phones:
            await phone.join(code)
        assert facilitator.act(code, "start") == ""
        assert facilitator.act(code, "phase", action="group_answer") == ""
        for phone in phones:
            await phone.shows("phone-stage", "Gruppens begrundelse")
        saver, others = phones[0], phones[1:]
        assert {phone.group() for phone in phones} == {saver.group()}
        tab = Phone(server.url)  # the saver's second tab: the same person, another page
        tab.cookie = saver.cookie
        await tab.connect()
        await tab.shows("phone-stage", "Gruppens begrundelse")

        before = len(saver.received)
        mid = await saver.send(
            {
                "action": "answer",
                "case": saver.case_id(),
                "option": "B",
                "text": TEXT,
                "base_version": 0,
            }
        )
        assert "version 1" in await saver.reply(mid)
        reply = saver.received[-1]
        assert 'id="group-answer-current"' in reply and TEXT in reply, reply
        assert TEXT in saver.page.text("group-answer-current")
        for page in (*others, tab):
            await page.shows("group-answer-current", TEXT)
            assert "version 1" in page.page.text("answer-form")

        # The push went out to the others in one round; a message sent now is answered after
        # anything that round queued for the saver.
        probe = await saver.send({"action": "no-such-action"})
        await saver.until(lambda _page: probe in saver.received[-1], what="the probe's answer")
        after = saver.received[before:]
        assert len(after) == 2, [message[:120] for message in after]
        assert sum('id="answer-form"' in message for message in after) == 1
        for page in (*phones, tab):
            await page.aclose()

    asyncio.run(scenario())


def test_a_phone_back_mid_merge_sees_the_saved_answer_beside_its_draft_again(
    server: LiveServer, facilitator: Facilitator
) -> None:
    """After a refusal the page keeps the person's text as a draft; drawn anew (a locked phone,
    a reload, a restarted server) it asks for the newest saved version beside it ("merging").
    Nothing is written, and outside the group answer it is refused as a save would be."""

    async def scenario() -> None:
        code = facilitator.create_session("Flet igen", CASES, group_size=3)
        saver, merger = Phone(server.url, alias="Skriver"), Phone(server.url, alias="Fletter")
        for phone in (saver, merger):
            await phone.join(code)
        assert facilitator.act(code, "start") == ""
        too_early = await merger.send({"action": "merging"})  # the case shown, not yet talked about
        assert "Gruppens svar kan kun skrives under" in await merger.reply(too_early)
        assert facilitator.act(code, "phase", action="group_answer") == ""
        for phone in (saver, merger):
            await phone.shows("phone-stage", "Gruppens begrundelse")
        save = {"action": "answer", "case": saver.case_id(), "option": "B", "text": TEXT}
        for version in (0, 1):
            mid = await saver.send(
                {**save, "text": f"{TEXT} ({version + 1})", "base_version": version}
            )
            assert f"version {version + 1}" in await saver.reply(mid)

        # The page asks after it is drawn anew: after a server restart too (the saved answer and
        # the refusal's reply come from the stored rows alone).
        for phone in (saver, merger):
            await phone.close()
        server.restart()
        for phone in (saver, merger):
            await phone.connect()
            await phone.shows("phone-stage", "Gruppens begrundelse")
        for _ in range(2):  # asked again (a second reconnect), answered again
            mid = await merger.send({"action": "merging", "case": merger.case_id()})
            await merger.reply(mid)
            reply = next(m for m in reversed(merger.received) if mid in m)
            assert 'class="conflict-saved"' in reply and f"{TEXT} (2)" in reply, reply
            assert 'name="base_version" value="2"' in reply
        # Nothing was saved by asking: the saver's next save from version 2 is taken.
        mid = await saver.send({**save, "text": f"{TEXT} (3)", "base_version": 2})
        assert "version 3" in await saver.reply(mid)
        for phone in (saver, merger):
            await phone.aclose()

    asyncio.run(scenario())
