"""The control page says what will happen now: the next phase by name, no dead-end buttons at the
gate, the result on the wall part by part, ending apart and only where it belongs."""

from __future__ import annotations

import asyncio

from tests.utils.clients import Control, Facilitator, Phone, Projector
from tests.utils.server import LiveServer

CASE = ["kl-01-spareoevelsen"]


def test_the_next_action_names_what_happens(server: LiveServer, facilitator: Facilitator) -> None:
    asyncio.run(_next_action(server, facilitator))


async def _next_action(server: LiveServer, fac: Facilitator) -> None:
    code = fac.create_session("Næste skridt", CASE, group_size=3)
    control = Control(server.url, code, fac)
    projector = Projector(server.url, code, fac.cookie())
    phones = [Phone(server.url) for _ in range(4)]
    for page in (control, projector):
        await page.connect()
    for phone in phones:
        assert (await phone.join(code)).status_code == 303
    await control.shows("ctl-status", "Start sessionen")
    assert fac.act(code, "start") == ""
    await control.shows("ctl-status", "Videre til: Afstemning →")
    assert "Afslut session" not in control.page.text("ctl-status"), "ending sits apart"

    # The gate without a timer: it says what it waits for, and offers no button that only refuses.
    assert fac.act(code, "phase", action="group_answer") == ""
    await control.shows("ctl-status", "Venter på 1 af 1 grupper.")
    status = control.page.text("ctl-status")
    assert "Ingen timer kører" in status and "når tiden er gået" not in status.lower()
    assert fac.act(code, "timer", seconds="120") == ""
    await control.until(lambda p: "Når tiden er gået" in p.text("ctl-status"), what="timer")
    await phones[0].shows("phone-stage", "Gruppens svar")
    await phones[0].answer("A", "Vi er enige", 0)
    await control.shows("ctl-status", "Vis resultat →")

    # The result on the wall in parts; the big button shows the next part, the phones see it all.
    assert fac.act(code, "phase", action="reveal") == ""
    await control.shows("ctl-status", "Vis på skærmen: Gruppernes svar →")
    await projector.shows("proj-stage", "Stemmefordeling")
    assert "Vi er enige" not in projector.page.text("proj-stage")
    await phones[1].shows("phone-stage", "Vi er enige")
    assert fac.act(code, "step", step=1) == ""
    await projector.shows("proj-stage", "Vi er enige")
    await control.shows("ctl-status", "Vis på skærmen: Perspektiv →")
    assert fac.act(code, "step", step=9) == ""  # past the end: the last part
    await projector.shows("perspective", "Perspektiv")
    await control.shows("ctl-status", "Videre til: Ny afstemning →")
    assert fac.act(code, "phase", action="revote") == ""

    # After the last case, ending is the next action itself.
    assert fac.act(code, "phase", action="closed") == ""
    await control.shows("ctl-status", "Afslut sessionen og lav opsummeringen")
    for page in (control, projector, *phones):
        await page.close()
    for phone in phones:
        await phone.http.aclose()
