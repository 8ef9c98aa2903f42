"""Every seeded case on the projector at 1920x1080: no scrollbar, nothing cut off, text >= 32 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from app.domain.phases import Format, Phase, sequence
from app.library import load_library
from tests.browser.screens import projector_problems
from tests.utils.clients import Facilitator
from tests.utils.server import LiveServer

pytestmark = pytest.mark.browser
SEED = Path(__file__).resolve().parents[2] / "seed"
# present shows the case, vote adds the options, discuss the prompts, closed the results and shift.
LOOKED_AT = {Phase.PRESENT, Phase.VOTE, Phase.DISCUSS, Phase.CLOSED}
LONGEST = "kl-04-udvikling-af-udkantsomraader"


def test_every_seeded_case_fits_the_projector(
    server: LiveServer, browser: Any, facilitator: Facilitator, shots: Path
) -> None:
    library = load_library(SEED)
    cases = library.cases
    assert cases and not library.errors
    slugs = [case.slug for case in cases]
    code = facilitator.create_session("Alle cases", slugs)
    assert facilitator.act(code, "start") == ""
    chromium: Browser = browser
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    context.add_cookies(
        [{"name": k, "value": v, "url": server.url} for k, v in facilitator.http.cookies.items()]
    )
    projector = context.new_page()
    projector.goto(f"{server.url}/projector/{code}")
    stage = projector.locator("#proj-stage")
    problems: list[str] = []
    for number, case in enumerate(cases):
        if number:
            assert facilitator.act(code, "next-case") == ""
        for phase in [p for p in sequence(Format.DILEMMA, bool(case.options)) if p in LOOKED_AT]:
            if phase != "present":
                assert facilitator.act(code, "phase", action=phase) == ""
            expect(stage).to_have_attribute("data-phase", phase)
            expect(stage.locator("h2")).to_have_text(case.title)
            problems += [f"{case.slug} {phase}: {p}" for p in projector_problems(projector)]
            if case.slug == LONGEST and phase == "vote":  # too long to sit beside its options
                expect(projector.locator(".compact-note")).to_be_visible()
                projector.screenshot(path=str(shots / "projector-vote-long-case.png"))
    context.close()
    assert problems == [], "\n".join(problems)
