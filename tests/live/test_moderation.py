"""Moderation and the live draft: hidden texts reach no projector and no summary; duty and difficulty
are summarised by the same anonymity rules."""

from __future__ import annotations

import asyncio
import re

from tests.utils.clients import Control, Facilitator, Phone, Projector
from tests.utils.server import LiveServer

CASE = ["kl-08-gavemodtagelse"]
SECRET = "Hemmelig tekst fra gruppen"


async def started_room(
    server: LiveServer, facilitator: Facilitator, aliases: tuple[str, ...]
) -> tuple[str, Control, list[Phone]]:
    """A started session of one group (its phones joined) with the control page open."""
    code = facilitator.create_session("Moderation", CASE, group_size=3)
    control = Control(server.url, code, facilitator)
    await control.connect()
    phones = [Phone(server.url, alias) for alias in aliases]
    for phone in phones:
        await phone.join(code)
    assert facilitator.act(code, "start") == ""
    return code, control, phones


def hide_the_answer(facilitator: Facilitator, code: str, control: Control) -> None:
    """Hide the group's answer as its button in the control page's list of texts does."""
    answer_id = re.search(r'"kind": "answer", "id": "(\d+)"', control.page.html("ctl-texts"))
    assert answer_id
    assert facilitator.act(code, "hide", kind="answer", id=answer_id.group(1), hidden="1") == ""


def test_hidden_texts_never_reach_the_projector_the_draft_or_the_summary(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def run() -> None:
        code, control, phones = await started_room(server, facilitator, ("Ea7x", "Bo7x", "Ib7x"))
        projector = Projector(server.url, code, facilitator.cookie())
        await projector.connect()
        assert facilitator.act(code, "phase", action="vote") == ""
        for i, phone in enumerate(phones):
            await phone.shows("phone-stage", "Hvad ville du gøre?")
            reason = "Chefen er en idiot" if i == 0 else f"Begrundelse {i}"
            await phone.send(
                {
                    "action": "vote",
                    "case": phone.case_id(),
                    "option": "B",
                    "reason": reason,
                    "duty": "sandhed",
                }
            )
            await phone.shows("vote-form", "Din stemme (B) er gemt")
        await control.shows("ctl-texts", "Chefen er en idiot")
        assert "skjult" in control.page.text("ctl-texts"), "the abuse list hid it at once"

        assert facilitator.act(code, "phase", action="discuss") == ""
        await phones[1].shows("group-posts", "Skjult af facilitatoren")
        assert "idiot" not in phones[1].page.html("group-posts")
        await phones[0].shows("group-posts", "Skjult for de andre")

        assert facilitator.act(code, "phase", action="group_answer") == ""
        await phones[0].shows("phone-stage", "Gruppens begrundelse")
        await phones[0].answer("B", SECRET, base_version=0)
        await control.shows("ctl-texts", SECRET)
        hide_the_answer(facilitator, code, control)
        assert facilitator.act(code, "hide", kind="answer", id="99999", hidden="1") == (
            "Ukendt tekst"
        )
        await control.until(lambda p: "Vis igen" in p.text("ctl-texts"), what="hidden answer")

        draft = facilitator.http.get(f"/facilitator/sessions/{code}/draft")
        assert draft.status_code == 200 and "Udkast til opsummering" in draft.text
        assert "Sagen om retningslinjer for gavemodtagelse" in draft.text
        for leak in (SECRET, "idiot", "Ea7x", "Bo7x", "Ib7x"):
            assert leak not in draft.text.split("</nav>", 1)[-1], leak

        assert facilitator.act(code, "phase", action="reveal") == ""
        assert facilitator.act(code, "step", step=1) == ""  # the answers, after the split
        await projector.shows("proj-stage", "Svaret er skjult af facilitatoren")
        assert not any(SECRET in message for message in projector.received)

        assert facilitator.act(code, "phase", action="revote") == ""
        for phone in phones:
            await phone.shows("phone-stage", "Hvor svært var dilemmaet?")
            await phone.send(
                {"action": "vote", "case": phone.case_id(), "option": "B", "difficulty": "4"}
            )
            await phone.shows("vote-form", "Din stemme (B) er gemt")
        assert facilitator.act(code, "end") == ""
        summary = facilitator.http.get(f"/facilitator/sessions/{code}/summary.json").json()
        case = summary["cases"][0]
        assert case["heaviest_duty"] == [
            {"duty": "sandhed", "name": "Sandhed", "people": "3", "groups": "0"}
        ]
        assert case["difficulty"] == 4.0 and case["difficulty_answers"] == "3"
        assert case["group_answers"] == []
        markdown = facilitator.http.get(f"/facilitator/sessions/{code}/summary.md").text
        assert "Hvor svært (1-5): 4,0 (3 svar)" in markdown and SECRET not in markdown
        page = facilitator.http.get(f"/facilitator/sessions/{code}/summary").text
        assert "<td>Sandhed</td><td>3</td><td>0</td>" in page, "the page shows the duty split"
        assert "gennemsnit 4,0 (3 svar)" in page
        for page in [*phones, projector, control]:
            await page.close()

    asyncio.run(run())


def test_hiding_an_answer_after_reveal_takes_it_off_the_phones_showing_results(
    server: LiveServer, facilitator: Facilitator
) -> None:
    async def run() -> None:
        code, control, phones = await started_room(server, facilitator, ("Ea8x", "Bo8x", "Ib8x"))
        assert facilitator.act(code, "phase", action="group_answer") == ""
        await phones[0].shows("phone-stage", "Gruppens begrundelse")
        await phones[0].answer("B", SECRET, base_version=0)
        await control.shows("ctl-texts", SECRET)
        assert facilitator.act(code, "phase", action="reveal") == ""
        for phone in phones:
            await phone.shows("phone-stage", SECRET)

        hide_the_answer(facilitator, code, control)
        for phone in phones:
            await phone.until(
                lambda p: SECRET not in p.html("phone-stage"), what="hidden answer gone"
            )
            assert "Svaret er skjult af facilitatoren" in phone.page.text("phone-stage")
        for page in [*phones, control]:
            await page.close()

    asyncio.run(run())
