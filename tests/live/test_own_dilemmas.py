"""Kollegasparring on the participants' own dilemmas: sent anonymously, moderated, run, advised."""

from __future__ import annotations

import asyncio
import re

from app.models import Submission
from tests.utils.clients import Facilitator, Phone, Projector
from tests.utils.server import LiveServer

DILEMMA = (
    "Min direktør vil have, at jeg skriver et notat, der lægger op til den løsning, borgmesteren "
    "allerede har lovet i pressen – men tallene holder ikke."
)


def test_a_submission_stores_nothing_about_its_author() -> None:
    assert set(Submission.model_fields) == {
        "id",
        "session_id",
        "text",
        "duties",
        "status",
        "session_case_id",
        "title",  # the facilitator's, while reviewing it
        "duty",
    }


def test_an_own_dilemma_is_promoted_and_run(server: LiveServer, facilitator: Facilitator) -> None:
    asyncio.run(_own_dilemma(server, facilitator))


async def _own_dilemma(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Kollegasparring, marts", [], 3, "kollegasparring")
    assert "ingen cases at starte med" in fac.act(code, "start")
    control = fac.http.get(f"/facilitator/sessions/{code}").text
    assert "Deltagernes dilemmaer" in control
    projector = Projector(server.url, code, fac.cookie())
    await projector.connect()
    phones = [Phone(server.url, f"Navn{n}x") for n in range(3)]
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    form = (await phones[0].http.get("/p")).text
    assert "Del dit eget dilemma" in form

    short = await phones[0].http.post("/p/dilemma", data={"text": "For kort"})
    assert "mindst 20 tegn" in short.text
    bogus = await phones[0].http.post("/p/dilemma", data={"text": DILEMMA, "duties": ["x"]})
    assert "Ukendt pligt" in bogus.text and DILEMMA in bogus.text, "the draft is kept"
    sent = await phones[0].http.post(
        "/p/dilemma", data={"text": DILEMMA, "duties": ["sandhed", "ansvar-og-ledelse"]}
    )
    assert "sendt anonymt" in sent.text
    other = "Jeg er uenig med min chef om en dispensation, og udvalget mødes i morgen."
    assert "sendt anonymt" in (await phones[1].http.post("/p/dilemma", data={"text": other})).text

    page = fac.http.get(f"/facilitator/sessions/{code}/dilemmas").text
    assert DILEMMA in page and other in page
    for phone in phones:  # nothing on the moderation page points back to a phone
        assert phone.alias not in page
    assert "Deltager " not in page  # as in "Deltager 7"

    ids = [int(part.split('"')[0]) for part in page.split("/dilemmas/")[1:]]
    url = f"/facilitator/sessions/{code}/dilemmas"
    r = fac.http.post(f"{url}/{ids[0]}", data={"action": "promote", "title": "", "text": DILEMMA})
    assert r.status_code == 400 and "Giv casen en titel" in r.text
    r = fac.http.post(f"{url}/{ids[1]}", data={"action": "dismiss"})
    assert r.status_code == 303
    edited = DILEMMA.replace("borgmesteren", "formanden")
    data = {"action": "promote", "title": "Notatet", "text": edited, "duty": "sandhed"}
    assert fac.http.post(f"{url}/{ids[0]}", data=data).status_code == 303
    again = fac.http.post(f"{url}/{ids[0]}", data=data)
    assert again.status_code == 400 and "allerede behandlet" in again.text
    assert "Ingen nye dilemmaer" in fac.http.get(url).text

    assert fac.act(code, "start") == ""
    for phone in phones:
        await phone.shows("phone-stage", "formanden allerede har lovet")
    await projector.shows("proj-stage", "Notatet")
    assert "Sandhed" in projector.page.text("proj-duties")
    for phase in ("clarify", "reflect"):
        assert fac.act(code, "phase", action="next") == ""
        await phones[2].until(lambda p, ph=phase: f'data-phase="{ph}"' in p.html("phone-stage"))
    await phones[2].answer("", "Vis tallene, og tal med direktøren før notatet skrives", 0)
    await phones[0].shows("group-answer-current", "tal med direktøren")
    assert fac.act(code, "phase", action="reveal") == ""
    await projector.shows("proj-stage", "tal med direktøren før notatet skrives")
    for phone in phones:
        await phone.aclose()
    await projector.close()


def test_the_review_page_keeps_what_was_typed_and_undoes_a_rejection(
    server: LiveServer, facilitator: Facilitator
) -> None:
    asyncio.run(_review_page(server, facilitator))


def _card(page: str, item: int) -> str:
    """One dilemma's form on the review page."""
    start = page.index(f'<form id="dilemma-{item}"')
    return page[start : page.index("</form>", start)]


def _chosen(card: str) -> str:
    found = re.search(r'<option value="([^"]+)" selected', card)
    return found.group(1) if found else ""


async def _review_page(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Kollegasparring, maj", [], 3, "kollegasparring")
    phone = Phone(server.url, "Bente9x")
    await phone.join(code, connect=False)
    other = "Jeg er uenig med min chef om en dispensation, og udvalget mødes i morgen."
    for dilemma in (DILEMMA, other, other + " Igen."):
        await phone.http.post("/p/dilemma", data={"text": dilemma, "duties": ["lovlighed"]})
    url = f"/facilitator/sessions/{code}/dilemmas"
    ids = [int(part.split('"')[0]) for part in fac.http.get(url).text.split("/dilemmas/")[1:]]
    first, second, third = sorted(set(ids))

    # Gem rettelse keeps the title and the primary duty typed, not only the text.
    edited = DILEMMA.replace("borgmesteren", "formanden")
    data = {"action": "save", "title": "Notatet", "text": edited, "duty": "sandhed"}
    saved = fac.http.post(f"{url}/{first}", data=data, follow_redirects=True)
    card = _card(saved.text, first)
    assert 'value="Notatet"' in card and _chosen(card) == "sandhed" and "formanden" in card
    assert "Rettelsen er gemt" in card, "the message stands in the dilemma's own form"

    # Promoting without a title: the reason in that form, the duty chosen stays chosen.
    data = {"action": "promote", "title": " ", "text": other, "duty": "aabenhed-om-fejl"}
    refused = fac.http.post(f"{url}/{second}", data=data)
    assert refused.status_code == 400
    card = _card(refused.text, second)
    assert "Giv casen en titel" in card and _chosen(card) == "aabenhed-om-fejl"
    assert "autofocus" in card, "the browser brings the form with the reason into view"

    # Afvis can be undone.
    rejected = fac.http.post(f"{url}/{third}", data={"action": "dismiss"}, follow_redirects=True)
    assert "Fortryd herunder" in rejected.text
    assert f'<form id="dilemma-{third}"' in rejected.text.split('id="dismissed"', 1)[1]
    restored = fac.http.post(f"{url}/{third}", data={"action": "restore"}, follow_redirects=True)
    assert 'id="dismissed"' not in restored.text
    assert "Fremhæv som case" in _card(restored.text, third)
    again = fac.http.post(f"{url}/{third}", data={"action": "restore"})
    assert again.status_code == 400 and "ikke afvist" in again.text

    # The saved title and duty are what a plain promote uses.
    assert (
        fac.http.post(f"{url}/{first}", data={"action": "promote", "text": edited}).status_code
        == 400
    )
    data = {"action": "promote", "title": "Notatet", "text": edited, "duty": ""}
    assert fac.http.post(f"{url}/{first}", data=data).status_code == 303
    assert fac.act(code, "start") == ""
    projector = Projector(server.url, code, fac.cookie())
    await projector.connect()
    await projector.shows("proj-duties", "Sandhed")
    await projector.close()
    await phone.aclose()
