"""A whole session in real browsers: the facilitator clicks, six phones tap, the projector shows it.

One shared scenario (browsers are expensive): on the way it looks at every screen in every phase
(screenshots, axe-core, tap targets, overflow, font sizes), takes a phone offline, restarts the
server, and records every request to prove that nothing leaves the server.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.screens import Requests, Screens, new_window
from tests.utils.server import FACILITATOR, REVIEWER, LiveServer

pytestmark = pytest.mark.browser
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}
ALIASES = ("Anna", "Bo", "Carl", "Dorte", "Emil", "Frida")
CASE = "Spareøvelsen på skoleområdet"
DUTY_QUESTION = "Hvilken pligt vejer tungest for gruppen?"


class Room:
    """The people in the scenario and what they look at."""

    def __init__(self, server: LiveServer, chromium: Browser, shots: Path) -> None:
        self.server = server
        self.chromium = chromium
        self.screens = Screens(shots)
        self.requests = Requests(server.url)
        self.staff = self.context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
        self.control = self.staff.new_page()
        self.projector = new_window(self.control)
        self.phones: list[Page] = []
        self.groups: dict[str, list[Page]] = {}

    def context(self, **options: Any) -> BrowserContext:
        context = self.chromium.new_context(locale="da-DK", **options)
        self.requests.watch(context)
        return context

    def look(self, phase: str, *phones: Page) -> None:
        """Screenshot and check the projector, the control page and the given phones."""
        views = [(self.projector, "projector"), (self.control, "facilitator")]
        for n, phone in enumerate(phones):
            small = phone.viewport_size == SMALL_PHONE["viewport"]
            views.append((phone, "phone-360px" if small else f"phone{n or ''}"))
        self.screens.look_all(phase, *views)

    def log_in(
        self, page: Page, path: str, heading: str, account: tuple[str, str], audience: str
    ) -> None:
        """Open a page that asks for a login, look at the login, and sign in."""
        page.goto(f"{self.server.url}{path}")
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        self.screens.look(page, audience, "login")
        page.get_by_label("Brugernavn").fill(account[0])
        page.get_by_label("Adgangskode").fill(account[1])
        page.get_by_role("button", name="Log ind").click()

    def next_phase(self, phase: str, offline: Page | None = None) -> None:
        # The next action names what comes ("Videre til: Afstemning →"); in the answer phase the
        # gate's button says "Vis resultat" once every group has answered.
        self.control.get_by_role(
            "button", name=re.compile("^(Videre til: .*|Vis resultat) →$")
        ).click()
        expect(self.projector.locator("#proj-stage")).to_have_attribute("data-phase", phase)
        for phone in self.phones:
            if phone is not offline:
                expect(phone.locator("#phone-stage")).to_have_attribute("data-phase", phase)

    def vote(self, phone: Page, option: str, reason: str = "") -> None:
        phone.locator(f"#vote-form label.choice:has(input[value={option}])").tap()
        if reason:
            phone.get_by_label(re.compile("Din begrundelse")).fill(reason)
        phone.locator("#vote-form .vote-send button").tap()
        expect(phone.locator("#vote-form .saved")).to_contain_text(f"Din stemme ({option}) er gemt")

    def answer(self, phone: Page, option: str, text: str) -> None:
        phone.locator(f"#answer-form label.choice:has(input[value={option}])").tap()
        phone.get_by_label("Gruppens begrundelse").fill(text)
        phone.get_by_role("button", name="Gem gruppens svar").tap()


def test_a_session_in_a_real_room(server: LiveServer, browser: Any, shots: Path) -> None:
    room = Room(server, browser, shots)
    control, projector = room.control, room.projector

    # The facilitator logs in and builds the session by clicking.
    room.log_in(control, "/facilitator", "Log ind som facilitator", FACILITATOR, "facilitator")
    expect(control.get_by_role("heading", name="Ny session")).to_be_visible()
    room.screens.look(control, "facilitator", "dashboard")
    control.get_by_label("Titel").fill("Chefforum, december")
    control.get_by_label("Gruppestørrelse").select_option("3")
    control.get_by_label(re.compile(CASE)).check()
    control.get_by_role("button", name="Opret session").click()
    expect(control.get_by_role("button", name="Start sessionen")).to_be_visible()
    code = control.locator(".control-head .code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)

    projector.goto(f"{server.url}/projector/{code}")
    expect(projector.locator(".join-code")).to_have_text(code)
    expect(projector.locator(".qr svg")).to_be_visible()

    # Six phones (one a small 360 px Android) type the code from the wall.
    for number, alias in enumerate(ALIASES):
        phone = room.context(**(SMALL_PHONE if number == 5 else PHONE)).new_page()
        phone.goto(f"{server.url}/")
        if number == 0:
            room.screens.look(phone, "phone", "join")
        phone.get_by_label("Kode").fill(code.lower())
        phone.get_by_label(re.compile("Kaldenavn")).fill(alias)
        phone.get_by_role("button", name="Deltag").tap()
        expect(phone.get_by_role("heading", name="Du er med!")).to_be_visible()
        room.phones.append(phone)
    expect(projector.locator(".join-count")).to_contain_text("6 er med")
    expect(control.locator("#progress")).to_contain_text("6 deltagere")
    room.look("lobby", room.phones[0], room.phones[5])

    # Two groups of three.
    control.get_by_role("button", name="Start sessionen").click()
    for phone in room.phones:
        expect(phone.locator(".group-badge")).to_have_text(re.compile(r"Gruppe [12]"))
        badge = phone.locator(".group-badge").inner_text()  # "Fanø Gruppe 1": a name, a number
        number = re.search(r"Gruppe \d", badge)
        assert number and badge.startswith(("Fanø", "Læsø")), badge
        room.groups.setdefault(number.group(0), []).append(phone)
    assert sorted(len(g) for g in room.groups.values()) == [3, 3]
    one, two = room.groups["Gruppe 1"], room.groups["Gruppe 2"]
    expect(projector.locator("#proj-stage h2")).to_have_text(CASE)
    expect(projector.locator("#progress")).to_contain_text("2 grupper")
    room.look("present", room.phones[0], room.phones[5])

    # Vote, with a live countdown and live progress on the wall and on the control page.
    room.next_phase("vote")
    control.get_by_role("button", name="2 min").click()
    for page in (projector, control):
        clock = page.locator("#timer .timer-value")
        expect(clock).to_have_text(re.compile(r"[12]:\d\d"))
        expect(clock).not_to_have_text(clock.inner_text())  # it counts down by itself
    for n, (phone, option) in enumerate(zip(one + two[:2], "ABAAB", strict=True)):
        room.vote(phone, option, f"Grund {n}: {option} er bedst")
        expect(projector.locator("#progress")).to_contain_text(f"{n + 1} af 6 til stede har stemt")
    expect(control.locator("#progress")).to_contain_text("5 af 6 til stede har stemt")
    room.look("vote", room.phones[0], room.phones[5])

    # The last phone loses the network mid-vote: its choice and reason wait and are sent on return.
    late = two[2]
    late.context.set_offline(True)
    expect(late.locator("#conn")).to_be_visible()
    late.locator("#vote-form label.choice:has(input[value=B])").tap()
    late.get_by_label(re.compile("Din begrundelse")).fill("Skrevet i en kælder uden net")
    late.locator("#vote-form .vote-send button").tap()
    expect(projector.locator("#progress")).to_contain_text("5 af 6 til stede har stemt")
    late.context.set_offline(False)
    expect(late.locator("#conn")).to_be_hidden()
    expect(late.locator("#vote-form .saved")).to_contain_text("Din stemme (B) er gemt")
    expect(projector.locator("#progress")).to_contain_text("6 af 6 til stede har stemt")

    # Offline again while the room moves on: the page catches up by itself, the draft survives.
    late.context.set_offline(True)
    expect(late.locator("#conn")).to_be_visible()
    late.get_by_label(re.compile("Din begrundelse")).fill("Skrevet i en kælder uden net. Og mere.")
    room.next_phase("discuss", offline=late)
    expect(late.locator("#phone-stage")).to_have_attribute("data-phase", "vote")
    late.context.set_offline(False)
    expect(late.locator("#phone-stage")).to_have_attribute("data-phase", "discuss")
    expect(late.get_by_label("Din begrundelse")).to_have_value(
        "Skrevet i en kælder uden net. Og mere."
    )
    late.get_by_role("button", name="Gem begrundelse").tap()
    expect(late.locator("#reason-form .saved")).to_be_visible()

    # Each group sees its own reasons, never the other group's.
    expect(two[0].locator("#group-posts")).to_contain_text("Og mere.")
    expect(one[0].locator("#group-posts")).to_contain_text("Grund 1: B er bedst")
    expect(one[0].locator("#group-posts")).not_to_contain_text("Grund 3")
    expect(one[0].locator("#group-posts")).not_to_contain_text("kælder")
    room.look("discuss", one[0], late)

    # Group 1 co-writes: a person typing is not overwritten; their own save is refused for merging.
    room.next_phase("group_answer")
    writer, editor, reader = one
    room.answer(writer, "B", "Vi går til næste ledelsesniveau, åbent.")
    expect(writer.locator("#answer-form .saved")).to_contain_text("version 1")
    expect(reader.locator("#group-answer-current")).to_contain_text("næste ledelsesniveau")
    expect(reader.get_by_label("Gruppens begrundelse")).to_have_value(
        "Vi går til næste ledelsesniveau, åbent."
    )
    editor.get_by_label("Gruppens begrundelse").fill("Mit eget udkast")
    writer.get_by_label("Gruppens begrundelse").fill("Version to fra skriveren.")
    writer.get_by_label(DUTY_QUESTION).select_option("sandhed")
    writer.get_by_role("button", name="Gem gruppens svar").tap()
    expect(editor.locator("#group-answer-current")).to_contain_text("Version to fra skriveren.")
    expect(editor.get_by_label("Gruppens begrundelse")).to_have_value("Mit eget udkast")
    editor.get_by_role("button", name="Gem gruppens svar").tap()
    expect(editor.locator("#answer-form")).to_contain_text(
        "En anden i gruppen har gemt en nyere version"
    )
    # The refusal leaves the form as the editor had it; what they left unset (the duty) is taken
    # from the saved version, so saving their text does not wipe the writer's choice.
    expect(editor.get_by_label("Din tekst (ikke gemt)")).to_have_value("Mit eget udkast")
    expect(editor.get_by_label(DUTY_QUESTION)).to_have_value("sandhed")
    # The newer saved answer right above the person's own text (not "see above"), one tap each.
    saved, own = editor.locator(".conflict-saved"), editor.locator("#answer-text")
    expect(saved).to_contain_text("version 2")
    expect(saved).to_contain_text("Version to fra skriveren.")
    expect(own).to_have_value("Mit eget udkast")
    above, below = saved.bounding_box(), own.bounding_box()
    assert above and below
    gap = below["y"] - above["y"] - above["height"]
    assert 0 <= gap < 120, f"{gap} px between the saved answer and the person's own text"
    expect(editor.get_by_role("button", name="Gem min tekst i stedet")).to_be_visible()
    room.screens.look(editor, "phone", "answer-conflict")
    # The writer saves again while the editor reads it (as a group saving at once gets the winner's
    # answer right after the refusal): the group's answer moves on, the editor's text stays.
    writer.get_by_label("Gruppens begrundelse").fill("Version tre fra skriveren.")
    writer.get_by_role("button", name="Gem gruppens svar").tap()
    expect(editor.locator("#group-answer-current")).to_contain_text("Version tre fra skriveren.")
    expect(own).to_have_value("Mit eget udkast")
    expect(saved).to_contain_text("version 2")
    # The phone locks mid-merge and comes back: the page is drawn anew, the text is still the
    # editor's, and the newest saved version (3, saved meanwhile) is beside it again, as the
    # refusal showed version 2: never lost, never silently saved over.
    editor.context.set_offline(True)
    expect(editor.locator("#conn")).to_be_visible()
    editor.context.set_offline(False)
    expect(editor.locator("#conn")).to_be_hidden()
    expect(saved).to_contain_text("version 3")
    expect(saved).to_contain_text("Version tre fra skriveren.")
    expect(own).to_have_value("Mit eget udkast")
    expect(editor.get_by_label("Din tekst (ikke gemt)")).to_have_value("Mit eget udkast")
    expect(editor.locator("#answer-form input[name=base_version]")).to_have_value("3")
    editor.get_by_role("button", name="Brug den gemte").tap()
    expect(own).to_have_value("Version tre fra skriveren.")
    expect(saved).to_have_count(0)
    own.fill("Version tre fra skriveren. Vi går til næste ledelsesniveau, åbent.")
    editor.get_by_role("button", name="Gem gruppens svar").tap()
    expect(writer.locator("#group-answer-current")).to_contain_text("version 4")
    expect(projector.locator("#progress")).to_contain_text("1 af 2 grupper har svaret")

    # Group 2 is mid-sentence when the server restarts: the draft and its choice survive.
    scribe = two[1]
    scribe.locator("#answer-form label.choice:has(input[value=C])").tap()
    scribe.get_by_label("Gruppens begrundelse").fill("Juristerne afgør det, ikke vi to.")
    server.stop()
    expect(scribe.locator("#conn")).to_be_visible()
    expect(projector.locator("#conn")).to_be_visible()
    server.start()
    expect(scribe.locator("#conn")).to_be_hidden()
    expect(projector.locator("#conn")).to_be_hidden()
    expect(scribe.get_by_label("Gruppens begrundelse")).to_have_value(
        "Juristerne afgør det, ikke vi to."
    )
    expect(scribe.locator("#answer-form input[value=C]")).to_be_checked()
    scribe.get_by_role("button", name="Gem gruppens svar").tap()
    expect(two[0].locator("#group-answer-current")).to_contain_text("Juristerne afgør det")
    expect(projector.locator("#progress")).to_contain_text("2 af 2 grupper har svaret")
    expect(control.locator("#progress")).to_contain_text("2 af 2 grupper har svaret")
    expect(projector.locator(".all-answered")).to_have_text("Alle grupper har svaret")
    expect(projector.locator("#proj-stage")).not_to_contain_text("Juristerne afgør det")
    room.look("group_answer", reader, scribe)

    # Reveal: the split of all six votes (cast before the restart) and both groups' answers.
    # The wall shows it in parts, large; the facilitator moves on; the phones have it all at once.
    room.next_phase("reveal")
    results = projector.locator("#results")
    expect(results).to_contain_text("3 (50 %)")  # A: three of six
    expect(results).not_to_contain_text("Juristerne afgør det")
    room.look("reveal", room.phones[0], room.phones[5])
    control.get_by_role("button", name="Vis på skærmen: Gruppernes svar →").click()
    expect(results).to_contain_text("Vi går til næste ledelsesniveau")
    expect(results).to_contain_text("Juristerne afgør det")
    room.screens.look(projector, "projector", "reveal-answers")
    control.get_by_role("button", name="Vis på skærmen: Perspektiv →").click()
    for screen in (projector, room.phones[0]):  # the perspective comes with the reveal, not before
        expect(screen.locator("#perspective")).to_contain_text("Kodekset siger")
    room.screens.look(projector, "projector", "reveal-perspective")

    # Revote; one person uses only the keyboard.
    room.next_phase("revote")
    keyboard = room.phones[0]
    expect(keyboard.get_by_text("Stem igen efter drøftelsen")).to_be_visible()
    press_until_focused(keyboard, "#vote-form input[type=radio]")
    keyboard.keyboard.press("ArrowDown")  # radios: the arrow moves and selects
    press_until_focused(keyboard, "#vote-form .vote-send button")
    keyboard.keyboard.press("Enter")
    expect(keyboard.locator("#vote-form .saved")).to_contain_text("Din stemme (B) er gemt")
    for phone in room.phones[1:]:
        room.vote(phone, "B")
    expect(projector.locator("#progress")).to_contain_text("6 af 6 til stede har stemt")
    room.look("revote", room.phones[0], room.phones[5])

    room.next_phase("closed")
    expect(projector.locator(".shift")).to_contain_text("3 af 6 skiftede holdning")
    room.look("closed", room.phones[0], room.phones[5])

    # The end: thanks on every phone, an anonymous summary for the facilitator.
    control.on("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="Afslut session").click()
    for phone in room.phones:
        expect(phone.get_by_role("heading", name="Tak for i dag")).to_be_visible()
    expect(projector.get_by_role("heading", name="Tak for i dag")).to_be_visible()
    with control.expect_download() as download:
        control.get_by_role("link", name="Markdown").click()
    summary = Path(download.value.path()).read_text("utf-8")
    assert CASE in summary and "Vi går til næste ledelsesniveau" in summary
    assert "Juristerne afgør det" in summary
    for alias in ALIASES:
        assert alias not in summary
    room.look("ended", room.phones[0])

    # Anyone may read in English: the switch is kept for that phone only.
    room.phones[0].get_by_role("link", name="English").tap()
    expect(room.phones[0].get_by_role("heading", name="Thank you for today")).to_be_visible()
    expect(room.phones[0].locator("html")).to_have_attribute("lang", "en")
    room.screens.look(room.phones[0], "phone", "ended-english")
    expect(room.phones[1].get_by_role("heading", name="Tak for i dag")).to_be_visible()
    control.get_by_role("link", name=re.compile("Opsummering")).click()
    expect(control.get_by_role("heading", name="Chefforum, december")).to_be_visible()
    room.screens.look(control, "facilitator", "summary")
    read_as_manager(room, "Chefforum, december")

    assert room.screens.problems == [], "\n".join(room.screens.problems)
    assert room.requests.foreign() == [], "requests that left the server"
    assert room.requests.broken == [], "script errors or refused by the Content-Security-Policy"
    assert_light_phone_page(server.url, room.phones[0])


def read_as_manager(room: Room, title: str) -> None:
    """Published for the management, who read it on a laptop: the list, the summary, the trends."""
    control = room.control
    room.server.add_user(*REVIEWER, role="reviewer")
    control.reload()  # the publish form lists the reviewers there are
    control.get_by_role("button", name="Offentliggør for ledelsen").click()
    expect(control.get_by_role("alert")).to_contain_text("Vælg mindst én læser")
    control.get_by_role("checkbox", name=REVIEWER[0]).check()
    control.get_by_role("button", name="Offentliggør for ledelsen").click()
    expect(control.locator(".tag", has_text="Offentliggjort")).to_be_visible()
    expect(control.get_by_role("checkbox", name=REVIEWER[0])).to_be_checked()
    room.screens.look(control, "facilitator", "summary-published")
    manager = room.context(viewport={"width": 1366, "height": 900}).new_page()
    room.log_in(manager, "/review", "Log ind som leder (læseadgang)", REVIEWER, "review")
    expect(manager.get_by_role("heading", name="Opsummeringer")).to_be_visible()
    room.screens.look(manager, "review", "sessions")
    manager.get_by_role("link", name=title).click()
    expect(manager.get_by_role("heading", name=title)).to_be_visible()
    room.screens.look(manager, "review", "summary")
    manager.get_by_role("link", name="Tendenser").click()
    expect(manager.get_by_role("heading", name="Tendenser pr. pligt")).to_be_visible()
    room.screens.look(manager, "review", "trends")


def press_until_focused(page: Page, selector: str, limit: int = 40) -> None:
    """Tab through the page (as a keyboard user would) until the element has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def assert_light_phone_page(base_url: str, phone: Page) -> None:
    """The participant page with its CSS and scripts stays under 100 KB compressed."""
    cookies = {c["name"]: c["value"] for c in phone.context.cookies()}
    html = httpx.get(f"{base_url}/p", cookies=cookies).text
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    bodies = [html.encode()] + [httpx.get(base_url + a).content for a in assets]
    compressed = sum(len(gzip.compress(body)) for body in bodies)
    assert len(assets) >= 3 and compressed < 100_000, (assets, compressed)
