"""A phone's stage that reads nothing of its person (the case presented, the end) is rendered once
for the room and sent to every phone: the same stage on each, their own header above it; a person
the facilitator removed still gets their own; a phone that comes later counts down from the
seconds left when it came, not from when the first one was drawn."""

from __future__ import annotations

import asyncio

from tests.utils.clients import Facilitator, Phone
from tests.utils.fragments import Page, attr
from tests.utils.server import LiveServer

CASES = ["kl-01-spareoevelsen"]


def shows(phase: str) -> object:
    return lambda page: attr(page.html("phone-stage"), "data-phase") == phase


def seconds(page: Page) -> int:
    value = attr(page.html("phone-stage"), "data-seconds")
    assert value is not None, page.html("phone-stage")
    return int(value)


def test_the_presented_case_and_the_end_are_shared_and_each_phone_keeps_its_own(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def scenario() -> None:
        code = facilitator.create_session("Fælles scene", CASES, group_size=3)
        phones = [Phone(server.url, alias=f"Person {n}") for n in range(6)]
        for phone in phones:
            await phone.join(code)
            await phone.until(shows("lobby"))
        assert facilitator.act(code, "start") == ""
        for phone in phones:
            await phone.until(shows("present"))
        assert len({phone.page.html("phone-stage") for phone in phones}) == 1
        assert sorted(phone.number() for phone in phones) == [1, 2, 3, 4, 5, 6]
        for n, phone in enumerate(phones):
            assert f"Person {n}" in phone.page.text("phone-header")

        # A timer while the case is presented: a phone opened later counts from then.
        assert facilitator.act(code, "timer", seconds="300") == ""
        await phones[0].until(lambda page: "data-seconds" in page.html("phone-stage"))
        first = seconds(phones[0].page)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        later = first
        while later >= first:  # the next second's render, waited for, never a fixed sleep
            assert loop.time() < deadline, f"still {later} s left, as at first"
            await phones[1].close()
            await phones[1].connect()
            await phones[1].until(lambda page: "data-seconds" in page.html("phone-stage"))
            later = seconds(phones[1].page)
        assert first - 10 <= later < first

        # The end: "thank you" on every phone, but the removed person reads that they are out.
        assert facilitator.act(code, "remove", participant=phones[5].number()) == ""
        assert facilitator.act(code, "end") == ""
        for phone in phones:
            await phone.until(shows("ended"))
        for phone in phones[:5]:
            assert "Tak for i dag" in phone.page.text("phone-stage")
        assert "ikke længere med" in phones[5].page.text("phone-stage")
        assert "Tak for i dag" not in phones[5].page.text("phone-stage")
        for phone in phones:
            await phone.aclose()

    asyncio.run(scenario())


def test_each_groups_answer_is_drawn_once_for_the_group_and_only_on_its_phones(
    server: LiveServer, facilitator: Facilitator
) -> None:
    """The group's answer and its form in a phone's stage are rendered once per group: each
    group's phones show their own answer, never another group's, however many phones ask."""

    async def scenario() -> None:
        code = facilitator.create_session("To grupper", CASES, group_size=3)
        phones = [Phone(server.url) for _ in range(6)]
        for phone in phones:
            await phone.join(code)
        assert facilitator.act(code, "start") == ""
        for action in ("vote", "discuss", "group_answer"):
            assert facilitator.act(code, "phase", action=action) == ""
        for phone in phones:
            await phone.until(shows("group_answer"))
        groups: dict[str, list[Phone]] = {}
        for phone in phones:
            groups.setdefault(phone.group(), []).append(phone)
        assert sorted(len(members) for members in groups.values()) == [3, 3]
        first, second = (members for _, members in sorted(groups.items()))
        await first[0].answer("B", "Gruppe et skriver dette.", 0)
        await second[0].answer("C", "Gruppe to mener noget andet.", 0)
        await first[0].shows("group-answer-current", "Gruppe et")
        await second[0].shows("group-answer-current", "Gruppe to")
        # Every phone's whole view again, from the one room the server holds now.
        for phone in phones:
            await phone.close()
            await phone.connect()
            await phone.until(shows("group_answer"))
        for members, mine, theirs in ((first, "et", "to"), (second, "to", "et")):
            for phone in members:
                stage = phone.page.text("phone-stage")
                assert f"Gruppe {mine}" in stage and f"Gruppe {theirs}" not in stage, stage
                assert "version 1" in phone.page.html("answer-form")
        for phone in phones:
            await phone.aclose()

    asyncio.run(scenario())
