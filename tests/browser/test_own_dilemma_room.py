"""Kollegasparring on a dilemma from the room, in real browsers, from the review page to publishing.

It walks the faults found on the way: the review page keeps what was typed and can undo a
rejection, a stale refusal leaves the control page, the merged advice keeps the group's duty, the
only case does not promise another, the own-dilemma form leaves at the end (and survives phase
changes before it), and publishing keeps the note typed but not saved.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.screens import Screens, new_window
from tests.utils.clients import Facilitator
from tests.utils.server import LiveServer

pytestmark = pytest.mark.browser
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "locale": "da-DK",
}
DILEMMA = (
    "Min direktør beder mig skrive et notat, der understøtter den løsning, formanden allerede "
    "har lovet i pressen, men tallene holder ikke."
)
OTHER = "Jeg er uenig med min chef om en dispensation, og udvalget mødes i morgen tidlig."
DRAFT = "Et udkast, jeg ikke har sendt endnu, om en sag fra i går"


def send_dilemma(phone: Page, text: str) -> None:
    phone.get_by_text("Del dit eget dilemma").tap()
    phone.get_by_label("Dit dilemma").fill(text)
    phone.get_by_role("button", name="Send anonymt").tap()
    expect(phone.locator("#phone-dilemma .flash-ok")).to_be_visible()


def test_an_own_dilemma_from_review_to_published_summary(
    server: LiveServer, browser: Any, facilitator: Facilitator, shots: Path
) -> None:
    chromium: Browser = browser
    screens = Screens(shots)
    code = facilitator.create_session("Kollegasparring, juni", [], 3, "kollegasparring")
    staff = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="da-DK")
    staff.add_cookies(
        [{"name": k, "value": v, "url": server.url} for k, v in facilitator.http.cookies.items()]
    )
    control = staff.new_page()
    review, projector = new_window(control, 1440, 900), new_window(control)
    control.goto(f"{server.url}/facilitator/sessions/{code}")
    projector.goto(f"{server.url}/projector/{code}")
    phones: list[Page] = []
    for _ in range(3):
        phone = chromium.new_context(**PHONE).new_page()
        phone.goto(f"{server.url}/j/{code}")
        phone.get_by_role("button", name="Deltag").tap()
        expect(phone.get_by_role("heading", name="Du er med!")).to_be_visible()
        phones.append(phone)
    # A phone that reloads while its person writes (the browser dropped the tab) keeps the text;
    # once sent, the text is done with and a reload shows the form empty.
    first = phones[0]
    first.get_by_text("Del dit eget dilemma").tap()
    first.get_by_label("Dit dilemma").fill(DILEMMA)
    first.reload()
    expect(first.get_by_label("Dit dilemma")).to_have_value(DILEMMA)
    first.get_by_text("Del dit eget dilemma").tap()
    first.get_by_role("button", name="Send anonymt").tap()
    expect(first.locator("#phone-dilemma .flash-ok")).to_be_visible()
    first.reload()
    expect(first.get_by_label("Dit dilemma")).to_have_value("")
    send_dilemma(phones[1], OTHER)
    phones[2].get_by_text("Del dit eget dilemma").tap()
    phones[2].get_by_label("Dit dilemma").fill(DRAFT)

    control.get_by_role("button", name="Start sessionen").click()
    expect(control.locator("#ctl-flash")).to_contain_text("ingen cases at starte med")

    # The review page (in another tab): a saved edit keeps its title and duty; Afvis is undone.
    review.goto(f"{server.url}/facilitator/sessions/{code}/dilemmas")
    expect(review.locator("form.dilemma-card")).to_have_count(2)
    first, second = review.locator("form.dilemma-card").all()
    first.get_by_label("Titel på casen").fill("Notatet")
    first.get_by_label("Primær pligt").select_option("sandhed")
    first.get_by_role("button", name="Gem rettelse").click()
    first = review.locator("form.dilemma-card").first
    expect(first).to_contain_text("Rettelsen er gemt")
    expect(first.get_by_label("Titel på casen")).to_have_value("Notatet")
    expect(first.get_by_label("Primær pligt")).to_have_value("sandhed")
    second.get_by_role("button", name="Afvis").click()
    expect(review.locator("#dismissed")).to_contain_text("Fortryd herunder")
    screens.look(review, "facilitator", "dilemmas-rejected")
    review.get_by_role("button", name="Fortryd afvisningen").click()
    expect(review.locator("form.dilemma-card")).to_have_count(2)
    review.locator("form.dilemma-card").nth(1).get_by_role("button", name="Fremhæv").click()
    refused = review.locator("form.dilemma-card").nth(1)
    expect(refused.locator(".flash-error")).to_contain_text("Giv casen en titel")
    expect(refused.get_by_label("Titel på casen")).to_be_focused()
    screens.look(review, "facilitator", "dilemmas-no-title")
    review.locator("form.dilemma-card").first.get_by_role("button", name="Fremhæv").click()
    expect(review.locator(".flash-ok")).to_contain_text("sidste case")

    # Back on the control page the old refusal is gone.
    expect(control.locator("#ctl-submissions")).to_contain_text("1 nyt dilemma venter")
    expect(control.locator("#ctl-flash")).to_be_empty()
    control.get_by_role("button", name="Start sessionen").click()
    for phone in phones:
        expect(phone.locator("#phone-stage")).to_contain_text("Notatet")
    expect(phones[2].get_by_label("Dit dilemma")).to_have_value(DRAFT)

    def next_phase(phase: str) -> None:
        control.get_by_role("button", name=re.compile(r"^(Videre til: .*|Vis resultat) →$")).click()
        for page in (*phones, projector):
            stage = page.locator("#phone-stage, #proj-stage")
            expect(stage).to_have_attribute("data-phase", phase)

    for phase in ("clarify", "reflect", "group_answer"):
        next_phase(phase)
    expect(phones[2].get_by_label("Dit dilemma")).to_have_value(DRAFT)

    # Two write the advice at once; the one who merges keeps the duty the other chose.
    writer, editor = phones[0], phones[1]
    editor.get_by_label("Gruppens råd", exact=True).fill("Sig fra skriftligt.")
    writer.locator("#answer-duty").select_option("sandhed")
    writer.get_by_label("Gruppens råd", exact=True).fill("Vis tallene for direktøren.")
    writer.get_by_role("button", name="Gem gruppens råd").tap()
    expect(writer.locator("#answer-form .saved")).to_contain_text("version 1")
    editor.get_by_role("button", name="Gem gruppens råd").tap()
    expect(editor.locator("#answer-form")).to_contain_text("En anden i gruppen har gemt")
    expect(editor.locator("#answer-duty")).to_have_value("sandhed")
    editor.locator("#answer-text").fill("Vis tallene for direktøren, og sig fra skriftligt.")
    editor.get_by_role("button", name="Gem min tekst i stedet").tap()
    expect(writer.locator("#group-answer-current")).to_contain_text("version 2")
    expect(writer.locator("#answer-duty")).to_have_value("sandhed")
    screens.look(editor, "phone", "kollega-advice-merged")

    next_phase("reveal")
    expect(projector.locator("#results .answer-duty")).to_have_text("Sandhed")
    next_phase("closed")
    for phone in phones:
        expect(phone.locator("#phone-stage")).to_contain_text("Det var sidste case")
    views = (phones[0], "phone"), (projector, "projector"), (control, "facilitator")
    screens.look_all("kollega-closed", *views)

    control.on("dialog", lambda dialog: dialog.accept())
    control.get_by_role("button", name="Afslut session").click()
    for phone in phones:
        expect(phone.get_by_role("heading", name="Tak for i dag")).to_be_visible()
        expect(phone.locator("#phone-dilemma")).to_be_hidden()
    screens.look(phones[2], "phone", "kollega-ended")

    # A note typed and published straight away is kept.
    server.add_user("direktoer-dilemma", "direktoerens-test-kode", role="reviewer")
    control.get_by_role("link", name=re.compile("Opsummering")).click()
    control.get_by_label("Note til hele sessionen").fill("Et godt møde; tallene skal frem.")
    control.get_by_role("checkbox", name="direktoer-dilemma").check()  # published to this reviewer
    control.get_by_role("button", name="Offentliggør for ledelsen").click()
    expect(control.locator(".tag", has_text="Offentliggjort")).to_be_visible()
    expect(control.locator(".summary-note")).to_contain_text("tallene skal frem")
    screens.look(control, "facilitator", "kollega-summary-published")
    staff.close()
    for phone in phones:
        phone.context.close()
    assert screens.problems == [], "\n".join(screens.problems)
