"""Kollegasparring on the participants' own dilemmas: sent anonymously, moderated, run, advised."""

from __future__ import annotations

import asyncio

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
