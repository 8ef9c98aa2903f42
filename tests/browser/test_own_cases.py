"""Kollegasparring as Thisted practises it, in real browsers: three groups, each with its own
case-giver (one typed in the lobby, one at the table, one a submitted dilemma the facilitator gave),
run the whole protocol in parallel in a lived-in room (a move, a late joiner, a reload, a case-giver
whose phone drops off and comes back); one case is followed up at the series' next meeting. The
summary and Tendenser show what the case-givers shared and nothing they kept in their groups.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.screens import Requests, Screens, new_window
from tests.browser.test_room import PHONE
from tests.utils.server import FACILITATOR, LiveServer

pytestmark = pytest.mark.browser
READER = ("direktoer", "laeser-serien-kode")
CONTROL = {"viewport": {"width": 1440, "height": 900}}
OWN = ("Notatet før valget", "Borgmesteren vil have et notat, der støtter hans løfte i pressen.")
TABLE = ("Formandens mail", "Udvalgsformanden beder mig prioritere en sag fra hans eget område.")
SUBMITTED = "Min direktør vil give en dispensation, som jeg mener ligger uden for lovens rammer."
ADVICE = {
    "A": "Råd A: tal med direktøren i dag.",
    "B": "Råd B: svar skriftligt og sæt chefen på.",
    "C": "Råd C: spørg juristen først.",
}
BRIEF = "En leder blev bedt om at dispensere uden for rammerne. Skriv til leder@kommune.dk."


class Meeting:
    def __init__(self, server: LiveServer, chromium: Browser, shots: Path) -> None:
        self.server, self.chromium = server, chromium
        self.screens = Screens(shots)
        self.requests = Requests(server.url)
        staff = self.context(**CONTROL)
        self.control = staff.new_page()
        self.projector = new_window(self.control)
        self.wall: list[str] = []  # everything the projector showed

    def context(self, **options: Any) -> Any:
        context = self.chromium.new_context(locale="da-DK", **options)
        self.requests.watch(context)
        return context

    def look(self, step: str, *phones: Page) -> None:
        self.wall.append(self.projector.locator("main").inner_text())
        views = [(self.projector, "projector"), (self.control, "facilitator")]
        views += [(phone, f"phone{n or ''}") for n, phone in enumerate(phones)]
        self.screens.look_all(f"own-{step}", *views)

    def phone(self, code: str, alias: str) -> Page:
        page: Page = self.context(**PHONE).new_page()
        self.join(page, code, alias)
        return page

    def join(self, page: Page, code: str, alias: str) -> None:
        page.goto(f"{self.server.url}/")
        page.get_by_label("Kode").fill(code)
        page.get_by_label(re.compile("Kaldenavn")).fill(alias)
        page.get_by_role("button", name="Deltag").tap()
        expect(page.locator("#phone-stage")).to_be_visible()

    def step(self, label: str, phase: str, phones: list[Page]) -> None:
        """The facilitator moves the room on; every phone and the wall follow."""
        self.control.locator(".stepper").get_by_role("button", name=label).click()
        expect(self.projector.locator("#proj-stage")).to_have_attribute("data-phase", phase)
        for phone in phones:
            expect(phone.locator("#phone-stage")).to_have_attribute("data-phase", phase)

    def create(self, title: str) -> str:
        control = self.control
        control.goto(f"{self.server.url}/facilitator")
        control.get_by_label("Titel").fill(title)
        control.get_by_label("Gruppestørrelse").select_option("3")
        control.get_by_label("Kollegasparring", exact=True).check()
        control.get_by_text("Hver gruppe har sin egen case-giver").click()
        control.get_by_role("button", name="Opret session").click()
        expect(control.get_by_role("button", name="Start sessionen")).to_be_visible()
        return control.locator(".control-head .code").inner_text().strip()


def write_case(phone: Page, title: str, text: str) -> None:
    phone.get_by_label("Kort titel").fill(title)
    phone.get_by_label("Hvad skete der, og hvor er dilemmaet?").fill(text)
    phone.get_by_role("button", name="Gem min sag").tap()


def group_of(phone: Page) -> str:
    badge = phone.locator(".group-badge .group-number")
    expect(badge).to_have_text(re.compile(r"Gruppe \d"))
    return badge.inner_text().split()[-1]


def number_of(phone: Page) -> str:
    found = re.search(r"Deltager (\d+)", phone.locator(".who").inner_text())
    assert found
    return found.group(1)


def test_three_case_givers_in_parallel_and_a_follow_up(
    server: LiveServer, browser: Any, shots: Path
) -> None:
    server.add_user(*READER, role="reviewer")  # the summaries are published to this reviewer
    m = Meeting(server, browser, shots)
    control, projector = m.control, m.projector
    control.goto(f"{server.url}/facilitator")
    control.get_by_label("Brugernavn").fill(FACILITATOR[0])
    control.get_by_label("Adgangskode").fill(FACILITATOR[1])
    control.get_by_role("button", name="Log ind").click()
    code = m.create("Chefforum Thisted, januar")
    projector.goto(f"{server.url}/projector/{code}")

    phones = [m.phone(code, f"Leder{n}") for n in range(9)]
    giver_a = phones[0]
    expect(giver_a.locator("#phone-groupcase")).to_contain_text("Har du en sag med?")
    write_case(giver_a, *OWN)
    expect(giver_a.locator("#phone-groupcase")).to_contain_text(f"Din sag «{OWN[0]}» er klar")
    anonymous = phones[8]  # sends a dilemma anonymously; the facilitator will give it to a group
    anonymous.get_by_text("Del dit eget dilemma").tap()
    anonymous.get_by_label("Dit dilemma").fill(SUBMITTED)
    anonymous.get_by_role("button", name="Send anonymt").tap()
    expect(anonymous.locator("#phone-dilemma")).to_contain_text("sendt anonymt")
    expect(control.locator("#ctl-cases")).to_contain_text("1 har skrevet en sag")
    m.look("lobby", giver_a, phones[1])

    # Start: groups of three; the lobby's case is group A's. B writes one at the table, C gets the
    # submitted dilemma from the facilitator and a member takes it on.
    control.get_by_role("button", name="Start sessionen").click()
    expect(projector.locator("#proj-stage")).to_have_attribute("data-phase", "choose")
    groups: dict[str, list[Page]] = {}
    for phone in phones:
        groups.setdefault(group_of(phone), []).append(phone)
    assert sorted(len(g) for g in groups.values()) == [3, 3, 3]
    team_a = groups[group_of(giver_a)]
    team_b, team_c = [g for g in groups.values() if g is not team_a]
    giver_b, giver_c = team_b[0], team_c[0]
    expect(team_a[1].locator("#phone-groupcase")).to_contain_text(OWN[1])
    expect(giver_b.locator("#phone-groupcase")).to_contain_text("ingen case endnu")
    write_case(giver_b, *TABLE)
    expect(team_b[1].locator("#phone-groupcase")).to_contain_text(TABLE[1])
    expect(control.locator("#ctl-cases tr.no-case")).to_have_count(1)
    form = control.locator(".assign-form")
    form.get_by_label("Giv gruppe").select_option(group_of(giver_c))
    form.get_by_label("et indsendt dilemma").select_option(index=1)
    form.get_by_role("button", name="Giv gruppen casen").click()
    expect(giver_c.locator("#phone-groupcase")).to_contain_text(SUBMITTED)
    giver_c.get_by_role("button", name="Jeg er case-giver").tap()
    expect(giver_c.locator(".role-badge")).to_have_text("Du er case-giver")
    expect(projector.locator("#progress")).to_contain_text("3 af 3 grupper har en case-giver")
    # The facilitator sees which groups have a case, never a case-giver's own text.
    expect(control.locator("#ctl-cases")).to_contain_text("Egen sag")
    expect(control.locator("#ctl-cases")).not_to_contain_text(OWN[1])
    # Lived-in: a member of A is moved to B, and a late joiner fills A up again.
    mover = team_a[2]
    move = control.locator(".move-form")
    move.get_by_label("Flyt deltager").fill(number_of(mover))
    move.get_by_label("til gruppe").fill(group_of(giver_b))
    move.get_by_role("button", name="Flyt").click()
    expect(mover.locator(".group-badge .group-number")).to_have_text(f"Gruppe {group_of(giver_b)}")
    expect(mover.locator("#phone-groupcase")).to_contain_text(TABLE[1])
    team_a.remove(mover)
    team_b.append(mover)
    m.look("choose", giver_a, team_a[1])

    everyone = [*phones]
    m.step("Præsentation", "present", everyone)
    late = m.phone(code, "Sen")
    expect(late.locator(".group-badge .group-number")).to_have_text(f"Gruppe {group_of(giver_a)}")
    expect(late.locator("#phone-groupcase")).to_contain_text(OWN[1])
    team_a.append(late)
    everyone.append(late)
    expect(giver_a.locator(".task")).to_contain_text("Fremlæg din sag")
    expect(team_a[1].locator(".task")).to_contain_text("Lyt til case-giveren")
    giver_a.get_by_role("button", name="Vi er klar til næste trin").tap()
    expect(projector.locator("#progress")).to_contain_text("1 af 3 grupper er klar")
    m.look("present", giver_a, team_a[1])

    m.step("Opklarende spørgsmål", "clarify", everyone)
    asker = team_a[1]
    asker.get_by_label("Dine spørgsmål (kun til dig selv)").fill("Hvornår lovede han det?")
    asker.get_by_role("button", name="Gem mine spørgsmål").tap()
    expect(asker.locator("#questions-form .saved")).to_contain_text("Kun du kan se dem")
    expect(late.locator("#phone-groupcase")).not_to_contain_text("Hvornår lovede")
    # A case-giver's phone drops off and comes back; a member reloads: both are where they were.
    giver_c.context.set_offline(True)
    expect(giver_c.locator("#conn")).to_be_visible()
    giver_c.context.set_offline(False)
    expect(giver_c.locator("#conn")).to_be_hidden()
    expect(giver_c.locator(".role-badge")).to_have_text("Du er case-giver")
    team_b[1].reload()
    expect(team_b[1].locator("#phone-groupcase")).to_contain_text(TABLE[1])
    m.look("clarify", giver_a, asker)

    m.step("Refleksion over pligterne", "reflect", everyone)
    expect(giver_a.locator(".duty-toggles")).to_have_count(0)  # the case-giver listens
    for team, duty in ((team_a, "Sandhed"), (team_b, "Faglighed"), (team_c, "Lovlighed")):
        team[1].get_by_role("button", name=duty).tap()
        expect(team[1].get_by_role("button", name=f"✓ {duty}")).to_be_visible()
        expect(team[0].locator(".duty-list")).to_contain_text(duty)
    m.look("reflect", giver_a, team_a[1])

    m.step("Gruppens råd", "group_answer", everyone)
    for name, team in (("A", team_a), ("B", team_b), ("C", team_c)):
        team[1].get_by_label("Gruppens råd").fill(ADVICE[name])
        team[1].get_by_role("button", name="Gem gruppens råd").tap()
        expect(team[0].locator("#group-answer-current")).to_contain_text(ADVICE[name])
    expect(projector.locator("#progress")).to_contain_text("3 af 3 grupper har givet deres råd")
    m.look("group_answer", giver_a, team_a[1])

    m.step("Case-giveren afrunder", "takeaway", everyone)
    for giver, share in ((giver_a, "ingenting"), (giver_b, "pligterne i spil og gruppens råd")):
        giver.get_by_label("Hvad tager du med dig?").fill("At jeg ikke står alene med det.")
        giver.get_by_label(share, exact=True).check()
        giver.get_by_role("button", name="Luk sagen").tap()
        expect(giver.locator("#close-form .saved")).to_contain_text("Lukket")
    giver_c.get_by_label("Hvad tager du med dig?").fill("Juristen først, så direktøren.")
    giver_c.get_by_label(re.compile("en anonymiseret version af sagen")).check()
    giver_c.get_by_label(re.compile("Kort, anonymiseret version")).fill(BRIEF)
    giver_c.get_by_label(re.compile("Hold sagen åben")).check()
    giver_c.get_by_role("button", name="Luk sagen").tap()
    expect(giver_c.locator("#close-form .saved")).to_contain_text("følges op på næste møde")
    expect(team_c[1].locator("#phone-groupcase")).to_contain_text("har lukket sagen")
    expect(projector.locator("#progress")).to_contain_text("3 af 3 case-givere har lukket")
    m.look("takeaway", giver_c, team_c[1])
    m.step("Afsluttet", "closed", everyone)
    m.look("closed", giver_a, team_a[1])

    control.on("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="Afslut session").click()
    expect(projector.get_by_role("heading", name="Tak for i dag")).to_be_visible()
    control.get_by_role("link", name=re.compile("Opsummering")).click()
    summary = control.locator("#summary")
    expect(summary).to_contain_text("Kollegasparring: egne sager")
    expect(summary).to_contain_text(ADVICE["B"])
    expect(summary).to_contain_text(ADVICE["C"])
    expect(summary).to_contain_text("[fjernet]")  # the e-mail in the brief
    shown = summary.inner_text()
    for kept in (ADVICE["A"], OWN[0], OWN[1], TABLE[0], TABLE[1], SUBMITTED, "leder@kommune.dk"):
        assert kept not in shown, kept
    assert "Sandhed" not in shown and "uden afstemning" not in shown and "–" not in shown
    m.screens.look(control, "facilitator", "own-summary")
    control.get_by_role("checkbox", name=READER[0]).check()  # published to the reviewer by name
    control.get_by_role("button", name="Offentliggør for ledelsen").click()
    expect(control.locator(".tag", has_text="Offentliggjort")).to_be_visible()
    for text in (OWN[1], TABLE[1], SUBMITTED, *ADVICE.values(), "Hvornår lovede"):
        assert not any(text in wall for wall in m.wall), f"the projector showed {text!r}"

    # The series' next meeting: C's case-giver comes back on the same phone and tells what happened.
    control.goto(f"{server.url}/facilitator")
    control.get_by_role("button", name="Næste møde i serien").click()
    expect(control.get_by_role("button", name="Start sessionen")).to_be_visible()
    second = control.locator(".control-head .code").inner_text().strip()
    assert second != code
    projector.goto(f"{server.url}/projector/{second}")
    m.join(giver_c, second, "Leder-igen")
    expect(giver_c.locator("#phone-groupcase")).to_contain_text("Din sag fra sidste møde:")
    others = [m.phone(second, f"Anden{n}") for n in range(2)]
    expect(others[0].locator("#phone-stage")).not_to_contain_text(SUBMITTED)
    expect(control.locator("#ctl-cases")).to_contain_text("1 åben sag fra sidste møde")
    control.get_by_role("button", name="Start sessionen").click()
    room2 = [giver_c, *others]
    for phone in room2:
        expect(phone.locator("#phone-stage")).to_have_attribute("data-phase", "choose")
    write_case(others[0], "Budgetnotatet", "Direktøren vil have tallene pyntet før udvalgsmødet.")
    expect(others[1].locator("#phone-groupcase")).to_contain_text("Budgetnotatet")
    m.step("Hvad skete der?", "follow_up", room2)
    expect(giver_c.locator(".task")).to_contain_text("Fortæl gruppen, hvad der skete")
    expect(others[1].locator("#phone-groupcase")).to_contain_text("følger op på sin sag")
    expect(others[1].locator("#phone-groupcase")).not_to_contain_text(SUBMITTED)
    giver_c.get_by_label("Hvad skete der?").fill("Juristen sagde nej, og direktøren lyttede.")
    giver_c.get_by_role("button", name="Gem opfølgningen").tap()
    expect(projector.locator("#progress")).to_contain_text("1 af 1 gruppe er klar")
    m.look("follow_up", giver_c, others[1])
    m.step("Refleksion over pligterne", "reflect", room2)
    others[1].get_by_role("button", name="Lovlighed").tap()
    expect(others[0].locator(".duty-list")).to_contain_text("Lovlighed")
    m.step("Case-giveren afrunder", "takeaway", room2)
    others[0].get_by_label("pligterne i spil og gruppens råd", exact=True).check()
    others[0].get_by_role("button", name="Luk sagen").tap()
    expect(others[0].locator("#close-form .saved")).to_contain_text("Lukket")
    control.get_by_role("button", name="Afslut session").click()
    control.get_by_role("link", name=re.compile("Opsummering")).click()
    expect(control.locator("#summary")).to_contain_text("1 åben sag fra sidste møde blev fulgt op")
    expect(control.locator("#summary")).not_to_contain_text("Juristen sagde nej")
    control.get_by_role("checkbox", name=READER[0]).check()  # published to the reviewer by name
    control.get_by_role("button", name="Offentliggør for ledelsen").click()
    expect(control.locator(".tag", has_text="Offentliggjort")).to_be_visible()

    # Tendenser: the duties that recur in the dilemmas case-givers shared, across the series.
    reader = m.context(viewport={"width": 1366, "height": 900}).new_page()
    reader.goto(f"{server.url}/review")
    reader.get_by_label("Brugernavn").fill(READER[0])
    reader.get_by_label("Adgangskode").fill(READER[1])
    reader.get_by_role("button", name="Log ind").click()
    reader.get_by_role("link", name="Tendenser").click()
    recurring = reader.locator(".recurring-duties")
    expect(recurring).to_contain_text("Pligter der går igen i egne dilemmaer")
    expect(recurring.locator("tr", has_text="Lovlighed")).to_contain_text("2")
    expect(recurring.locator("tr", has_text="Faglighed")).to_contain_text("1")
    expect(recurring).not_to_contain_text("Sandhed")  # its case-giver kept it in the group
    m.screens.look(reader, "review", "own-trends")

    assert m.screens.problems == [], "\n".join(m.screens.problems)
    assert m.requests.foreign() == [], "requests that left the server"
    assert m.requests.broken == [], "script errors or refused by the Content-Security-Policy"
