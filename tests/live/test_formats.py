"""Open-discussion cases and the kollegasparring protocol, run with a real server and live phones."""

from __future__ import annotations

import asyncio

from tests.utils.clients import Facilitator, Phone, Projector
from tests.utils.server import LiveServer


async def _room(server: LiveServer, fac: Facilitator, code: str) -> tuple[Projector, list[Phone]]:
    projector = Projector(server.url, code, fac.cookie())
    await projector.connect()
    phones = [Phone(server.url) for _ in range(3)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    assert fac.act(code, "start") == ""
    for phone in phones:
        await phone.until(lambda p: "Gruppe 1" in p.text("phone-header"), what="a group")
    return projector, phones


async def _step(fac: Facilitator, code: str, phones: list[Phone], phase: str) -> None:
    assert fac.act(code, "phase", action="next") == ""
    for phone in phones:
        await phone.until(
            lambda p: f'data-phase="{phase}"' in p.html("phone-stage"), what=f"phase {phase}"
        )


def test_an_open_discussion_case_skips_the_votes(
    server: LiveServer, facilitator: Facilitator
) -> None:
    asyncio.run(_open_case(server, facilitator))


async def _open_case(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("BUU-temadrøftelse", ["buu-01-fremtidens-fritidstilbud"], 3)
    projector, phones = await _room(server, fac, code)
    await phones[0].shows("phone-stage", "I drøfter den i grupper om lidt")
    assert "Pligt: Faglighed" in phones[0].page.text("phone-stage"), "the duty beside the case"

    assert "findes ikke for denne case" in fac.act(code, "phase", action="vote")
    await _step(fac, code, phones, "discuss")
    assert "vote-form" not in phones[0].page.html("phone-stage")
    await phones[0].send({"action": "vote", "case": phones[0].case_id(), "option": "A"})
    await phones[0].shows("phone-flash", "Der kan ikke stemmes nu")

    await phones[1].send({"action": "reason", "case": phones[1].case_id(), "reason": "Mere tid"})
    await phones[2].shows("group-posts", "Mere tid")
    await phones[2].answer("", "Udvalget manglede konsekvenserne for klubberne", 0)
    await phones[0].shows("group-answer-current", "manglede konsekvenserne")
    await phones[0].answer("A", "Et valg findes ikke", 1)
    await phones[0].shows("phone-flash", "Vælg en af mulighederne")

    await _step(fac, code, phones, "group_answer")
    await _step(fac, code, phones, "reveal")
    page = await projector.shows("proj-stage", "manglede konsekvenserne for klubberne")
    assert "Stemmefordeling" not in page.text("proj-stage")
    await _step(fac, code, phones, "closed")
    assert "ikke flere cases" in fac.act(code, "next-case")
    assert fac.act(code, "end") == ""
    summary = fac.http.get(f"/facilitator/sessions/{code}/summary.md")
    assert summary.status_code == 200 and "Fremtidens fritidstilbud" in summary.text
    for phone in phones:
        await phone.aclose()
    await projector.close()


def test_kollegasparring_runs_its_timed_protocol(
    server: LiveServer, facilitator: Facilitator
) -> None:
    asyncio.run(_kollegasparring(server, facilitator))


async def _kollegasparring(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Kollegasparring", ["kl-01-spareoevelsen"], 3, "kollegasparring")
    projector, phones = await _room(server, fac, code)
    steps = [
        ("present", "Hvad er på spil"),
        ("clarify", "Stil opklarende spørgsmål"),
        ("reflect", "Hvilke af de syv pligter er i spil"),
        ("group_answer", "Bliv enige om gruppens råd"),
    ]
    for index, (phase, prompt) in enumerate(steps):
        if index:
            await _step(fac, code, phones, phase)
        page = await phones[0].shows("phone-stage", prompt)
        assert "data-seconds" in page.html("phone-stage"), f"{phase} starts its own timer"
        assert "vote-form" not in page.html("phone-stage")
        await projector.shows("proj-stage", prompt)
        if phase == "reflect":
            await phones[1].send(
                {"action": "reason", "case": phones[1].case_id(), "reason": "Lovlighed først"}
            )
            await phones[0].shows("group-posts", "Lovlighed først")
    assert "Gruppens råd" in phones[0].page.text("phone-stage")
    await phones[2].answer("", "Sig fra skriftligt, og gå til direktøren", 0)
    await phones[0].shows("group-answer-current", "gå til direktøren")
    assert "findes ikke for denne case" in fac.act(code, "phase", action="revote")

    await _step(fac, code, phones, "reveal")
    page = await projector.shows("proj-stage", "gå til direktøren")
    assert "Gruppernes råd" in page.text("proj-stage")
    await phones[0].shows("phone-stage", "gå til direktøren")
    for phone in phones:
        await phone.aclose()
    await projector.close()
