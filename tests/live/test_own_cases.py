"""Kollegasparring as Thisted practises it: each group runs its own case-giver's case in parallel,
through real websockets; the projector never shows a case; the case-giver decides what leaves."""

from __future__ import annotations

import asyncio

from tests.utils.clients import Facilitator, Phone, Projector
from tests.utils.server import LiveServer

CASES = [
    (
        "Notatet før valget",
        "Borgmesteren vil have et notat, der støtter hans løfte i pressen, men tallene holder ikke.",
    ),
    (
        "Udvalgsformandens mail",
        "Udvalgsformanden beder mig direkte om at prioritere en sag fra hans eget lokalområde.",
    ),
    (
        "Dispensationen",
        "Min direktør vil give en dispensation, som jeg mener ligger uden for lovens rammer.",
    ),
]


def test_three_groups_run_their_own_cases(server: LiveServer, facilitator: Facilitator) -> None:
    asyncio.run(_three_groups(server, facilitator))


async def _in(phone: Phone, fid: str, needle: str) -> None:
    await phone.shows(fid, needle, timeout=10)


async def _three_groups(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Chefforum, marts", [], 3, "kollegasparring", group_cases="1")
    projector = Projector(server.url, code, fac.cookie())
    await projector.connect()
    phones = [Phone(server.url, f"Leder{n}") for n in range(9)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    # In the lobby a phone offers to bring a case; writing one is confirmed to that phone only.
    await _in(phones[0], "phone-groupcase", "Har du en sag med?")
    assert fac.act(code, "start") == ""
    await projector.shows("proj-stage", "Find jeres case")
    await projector.shows("progress", "0 af 3 grupper har en case-giver")
    for phone in phones:
        await phone.until(lambda p: "Gruppe" in p.text("phone-header"))
    groups: dict[str, list[Phone]] = {}
    for phone in phones:
        groups.setdefault(phone.group(), []).append(phone)
    assert sorted(len(g) for g in groups.values()) == [3, 3, 3]
    teams = list(groups.values())
    givers = [team[0] for team in teams]
    for giver, (title, text) in zip(givers, CASES, strict=True):
        mid = await giver.send({"action": "case", "title": title, "text": text})
        assert "Din sag er gemt" in await giver.reply(mid)
    for team, (title, text) in zip(teams, CASES, strict=True):
        for member in team[1:]:
            await _in(member, "phone-groupcase", text)
            await _in(member, "phone-groupcase", "Case-giver er deltager")
        for _, other in (c for c in CASES if c[0] != title):
            assert other not in team[1].page.text("phone-stage")
    await projector.shows("progress", "3 af 3 grupper har en case-giver")

    async def step(phase: str) -> None:
        assert fac.act(code, "phase", action="next") == ""
        for phone in phones:
            await phone.until(lambda p, ph=phase: f'data-phase="{ph}"' in p.html("phone-stage"), 10)

    await step("present")
    assert "Fremlæg din sag" in givers[0].page.text("phone-groupcase")
    assert "Lyt til case-giveren" in teams[0][1].page.text("phone-groupcase")
    mid = await teams[0][2].send({"action": "done"})
    assert "Gruppen er klar" in await teams[0][2].reply(mid)
    await projector.shows("progress", "1 af 3 grupper er klar")

    await step("clarify")
    asker = teams[1][1]
    mid = await asker.send(
        {"action": "questions", "case": asker.case_id(), "questions": "Hvem vidste hvad hvornår?"}
    )
    assert "spørgsmål er gemt" in await asker.reply(mid)
    assert "Hvem vidste" not in teams[1][2].page.text("phone-stage")

    await step("reflect")
    mid = await givers[0].send({"action": "duty", "duty": "sandhed", "on": "1"})
    assert "lytter" in await givers[0].reply(mid)
    duties = (("sandhed", "Sandhed"), ("faglighed", "Faglighed"), ("lovlighed", "Lovlighed"))
    for team, (duty, name) in zip(teams, duties, strict=True):
        await team[1].send({"action": "duty", "duty": duty, "on": "1"})
        await _in(team[0], "phone-groupcase", name)  # the case-giver sees what the group marks
        await _in(team[2], "phone-groupcase", f"✓ {name}")

    await step("group_answer")
    advice = ["Råd et: tal med direktøren.", "Råd to: sig nej skriftligt.", "Råd tre: jurist."]
    for team, text in zip(teams, advice, strict=True):
        await team[1].send(
            {"action": "answer", "case": team[1].case_id(), "text": text, "base_version": 0}
        )
        await _in(team[0], "group-answer-current", text)
    await projector.shows("progress", "3 af 3 grupper har givet deres råd")

    await step("takeaway")
    mid = await teams[0][1].send({"action": "close", "share": "advice"})
    assert "Kun case-giveren" in await teams[0][1].reply(mid)
    mid = await givers[2].send({"action": "close", "share": "case", "brief": "kort"})
    assert "anonymiserede version" in await givers[2].reply(mid)
    closes = [
        {"share": "none", "takeaway": "Jeg taler med min chef."},
        {"share": "advice", "takeaway": "Skriftlighed."},
        {
            "share": "case",
            "takeaway": "Juristen først.",
            "brief": "En leder blev bedt om at dispensere uden for rammerne; skriv til a@b.dk.",
            "keep_open": "1",
        },
    ]
    for giver, close in zip(givers, closes, strict=True):
        mid = await giver.send({"action": "close", **close})
        assert "Sagen er lukket" in await giver.reply(mid)
    await projector.shows("progress", "3 af 3 case-givere har lukket")
    await _in(teams[1][2], "phone-groupcase", "Case-giveren har lukket sagen")

    # The projector saw the steps and the progress, never a case, a question or an advice.
    seen = "".join(projector.received)
    for title, text in CASES:
        assert title not in seen and text not in seen
    assert "Hvem vidste" not in seen and not any(a in seen for a in advice)
    control = fac.http.get(f"/facilitator/sessions/{code}").text
    assert "Gruppernes cases" in control and "Egen sag" in control
    assert not any(text in control for _, text in CASES)  # own cases stay in the groups
    assert not any(a in control for a in advice)
    for phone in phones:
        await phone.aclose()
    await projector.close()
