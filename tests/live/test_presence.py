"""One person stays one person, and people who have gone hold nothing up (issue 13).

Own server: a phone counts as gone after 3 s unseen (the beat marks open pages every 0.3 s), so
leaving can be watched happen without waiting minutes.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import serve
from tests.utils.clients import Control, Facilitator, Phone, Projector, arm_csrf
from tests.utils.fragments import Page
from tests.utils.server import LiveServer

CASE = "kl-01-spareoevelsen"
GONE = {"SPARRING_PRESENCE_MINUTES": "0.05", "SPARRING_PRESENCE_BEAT_SECONDS": "0.3"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve(tmp_path_factory, GONE)


def test_every_way_back_lands_on_the_own_place(
    server: LiveServer, facilitator: Facilitator
) -> None:
    asyncio.run(_ways_back(server, facilitator))


async def _ways_back(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Tilbage igen", [CASE], group_size=3)
    other = fac.create_session("En anden session", [CASE], group_size=3)
    phones = [Phone(server.url, f"P{n}") for n in range(4)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    first = phones[0]
    await first.shows("phone-header", "Deltager 1")
    # The QR link, the start page (with and without the code) and typing the code again.
    for path in (f"/j/{code}", f"/j/{code.lower()}", "/", f"/?code={code}"):
        r = await first.http.get(path)
        assert (r.status_code, r.headers.get("location")) == (303, "/p"), path
    r = await first.http.post("/join", data={"code": f" {code.lower()} ", "alias": ""})
    assert (r.status_code, r.headers["location"]) == (303, "/p")
    assert (await first.http.get("/p")).status_code == 200
    # Another session's link is a join form, as for anyone.
    r = await first.http.get(f"/j/{other}")
    assert r.status_code == 200 and 'name="code"' in r.text

    assert fac.act(code, "start") == ""
    await first.until(lambda p: first.group() != "", what="a group")
    group = first.group()
    await first.close()
    r = await first.http.post("/join", data={"code": code, "alias": "P0"})
    assert r.status_code == 303
    await first.connect()
    await first.shows("phone-header", "Deltager 1")
    assert first.group() == group
    assert fac.act(code, "end") == ""
    summary = await _summary(server, fac, code)
    assert summary["participants"] == "4"
    for phone in phones:
        await phone.aclose()


def test_gone_phones_leave_the_counts_and_the_gate(
    server: LiveServer, facilitator: Facilitator
) -> None:
    asyncio.run(_gone(server, facilitator))


async def _gone(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Nogen går", [CASE], group_size=3)
    projector = Projector(server.url, code, fac.cookie())
    control = Control(server.url, code, fac)
    await projector.connect()
    await control.connect()
    phones = [Phone(server.url) for _ in range(6)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    await projector.shows("proj-stage", "6 er med")
    assert fac.act(code, "start") == ""
    for phone in phones:
        await phone.until(lambda p, phone=phone: phone.group() != "", what="a group")
    groups = {g: [p for p in phones if p.group() == g] for g in ("1", "2")}
    assert sorted(len(g) for g in groups.values()) == [3, 3]

    # Vote: one phone of group 2 closes its tab without voting; the count stops waiting for it.
    assert fac.act(code, "phase", action="vote") == ""
    gone = groups["2"][2]
    await gone.close()
    for phone in phones:
        if phone is not gone:
            await phone.until(lambda p, phone=phone: phone.phase() == "vote", what="vote")
            await phone.vote("A")
    await projector.shows("progress", "5 af 5 til stede har stemt", timeout=20)
    await control.shows("ctl-groups", "Væk", timeout=20)
    assert "5 deltagere til stede" in projector.page.text("progress")

    # It comes back (same cookie): counted again, in its own group, and votes.
    await gone.connect()
    await gone.shows("phone-header", f"Gruppe {gone.group() or '2'}")
    await projector.shows("progress", "5 af 6 til stede har stemt", timeout=20)
    await gone.vote("B")
    await projector.shows("progress", "6 af 6 til stede har stemt")
    await control.until(lambda p: "Væk" not in p.text("ctl-groups"), timeout=20, what="none away")

    # A voter leaves on purpose: the vote stays counted, out of the people who took part.
    leaver = groups["1"][0]
    arm_csrf(leaver.http)
    r = await leaver.http.post("/p/leave")
    assert (r.status_code, r.headers["location"]) == (303, f"/j/{code}")
    await projector.shows("progress", "5 deltagere til stede")
    assert "6 af 6 til stede har stemt" in projector.page.text("progress")
    r = await leaver.http.get(f"/j/{code}")
    assert r.status_code == 200 and "Deltag igen" in r.text
    assert (await leaver.http.get("/p")).headers["location"] == f"/j/{code}"

    # Group answers: group 2 answers, then all of group 1 walks out. The gate does not wait.
    assert fac.act(code, "phase", action="group_answer") == ""
    await groups["2"][0].until(lambda p: groups["2"][0].phase() == "group_answer")
    await groups["2"][0].answer("A", "Vi er enige", 0)
    await projector.shows("progress", "1 af 2 grupper har svaret")
    assert "Resultatet kan vises" in fac.act(code, "phase", action="reveal")
    for phone in groups["1"][1:]:
        await phone.close()
    await projector.shows("progress", "1 af 1 gruppe har svaret", timeout=20)
    await projector.shows("progress", "Alle grupper har svaret")

    # The facilitator removes the two who left; they are out of the list, their rows stay.
    def away(page: Page) -> list[int]:
        return sorted(int(n) for n in re.findall(r"Fjern D(\d+)", page.text("ctl-groups")))

    # Each is marked gone on its own beat: wait for both, not for the first "Væk".
    await control.until(lambda p: len(away(p)) == 2, timeout=20, what="both away")
    numbers = away(control.page)
    for number in numbers:
        assert fac.act(code, "remove", participant=number) == ""
    await control.until(lambda p: "Fjern D" not in p.text("ctl-groups"), what="no one away")
    assert "ikke med" in fac.act(code, "remove", participant=numbers[0])
    assert fac.act(code, "phase", action="reveal") == ""
    assert fac.act(code, "step", step=1) == ""  # the groups' answers, after the split
    await projector.shows("proj-stage", "Vi er enige")

    # The leaver comes back with the code: the same participant, not a seventh.
    r = await leaver.http.post("/join", data={"code": code, "alias": ""})
    assert (r.status_code, r.headers["location"]) == (303, "/p")
    await projector.shows("progress", "4 deltagere til stede")
    assert fac.act(code, "end") == ""
    summary = await _summary(server, fac, code)
    assert summary["participants"] == "6"
    [case] = summary["cases"]
    assert case["voters_before"] == "6"  # the leaver's and the returner's votes, once each
    for page in (*phones, projector, control):
        await page.close()
    for phone in phones:
        await phone.http.aclose()


async def _summary(server: LiveServer, fac: Facilitator, code: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=server.url, cookies=fac.http.cookies) as http:
        r = await http.get(f"/facilitator/sessions/{code}/summary.json")
    assert r.status_code == 200, r.text
    return dict(json.loads(r.text))
