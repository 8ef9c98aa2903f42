"""The vote is reachable with one thumb, on a common phone (390x844) and a small one (360x640)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from app.library import load_library
from tests.utils.clients import Facilitator
from tests.utils.server import LiveServer

pytestmark = pytest.mark.browser
SEED = Path(__file__).resolve().parents[2] / "seed"
SCREENS = {"390x844": (390, 844), "360x640": (360, 640)}

# Where the vote's targets are on screen, in CSS pixels from the top of the viewport.
GEOMETRY = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; };
  return {
    height: window.innerHeight,
    scrollY: window.scrollY,
    options: [...document.querySelectorAll('#vote-form label.choice')].map(box),
    send: box(document.querySelector('#vote-form button[type=submit]')),
    bar: box(document.querySelector('#vote-form .vote-send')),
  };
}"""


def test_the_vote_is_reachable_with_one_thumb(
    server: LiveServer, browser: Any, facilitator: Facilitator, shots: Path
) -> None:
    """For every seeded case with options, when the vote opens, without the person scrolling:

    1. every option and the send button lie entirely on screen;
    2. the send button sits at the bottom edge (its top in the lowest fifth), where the thumb rests;
    3. the options end just above the send bar (the button and the line that acknowledges the vote;
       at most 32 px between), so they reach up from the thumb only as far as the options need;
    4. on the 390x844 phone no option starts in the top third, which a hand holding the phone
       reaches only by stretching (the thumb zone). The 360x640 screen is too short for that with
       four long options; there 1-3 hold, and the highest option's top is reported.
    """
    cases = [case for case in load_library(SEED).cases if case.options]
    code = facilitator.create_session("Tommelfinger", [case.slug for case in cases])
    chromium: Browser = browser
    phones: dict[str, Page] = {}
    for name, (width, height) in SCREENS.items():
        context = chromium.new_context(
            viewport={"width": width, "height": height},
            is_mobile=True,
            has_touch=True,
            locale="da-DK",
        )
        phone = context.new_page()
        phone.goto(f"{server.url}/j/{code}")
        phone.get_by_role("button", name="Deltag").tap()
        expect(phone.get_by_role("heading", name="Du er med!")).to_be_visible()
        phones[name] = phone
    assert facilitator.act(code, "start") == ""
    problems: list[str] = []
    highest = {name: 1.0 for name in SCREENS}
    for number, case in enumerate(cases):
        if number:
            assert facilitator.act(code, "next-case") == ""
        for phone in phones.values():  # the person has read the case down to its end
            expect(phone.locator("#phone-stage h2")).to_have_text(case.title)
            phone.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        assert facilitator.act(code, "phase", action="vote") == ""
        for name, phone in phones.items():
            expect(phone.locator("#phone-stage")).to_have_attribute("data-phase", "vote")
            found = [f"{case.slug} at {name}: {p}" for p in thumb_problems(phone, name)]
            top = phone.evaluate(GEOMETRY)["options"][0][0] / SCREENS[name][1]
            if top < highest[name] or number == 0:
                phone.screenshot(path=str(shots / f"phone-{name}-vote-thumb.png"))
            highest[name] = min(highest[name], top)
            problems += found
    print("highest option top, share of screen height:", highest)
    assert problems == [], "\n".join(problems)


def thumb_problems(phone: Page, screen: str) -> list[str]:
    g: dict[str, Any] = phone.evaluate(GEOMETRY)
    height, options, (send_top, send_bottom) = g["height"], g["options"], g["send"]
    problems = [
        f"option {n} off screen: {t:.0f}-{b:.0f}"
        for n, (t, b) in enumerate(options)
        if t < 0 or b > height
    ]
    if send_bottom > height or send_top < 0.8 * height:
        problems.append(f"send button at {send_top:.0f}-{send_bottom:.0f}, not in the lowest fifth")
    gap = g["bar"][0] - options[-1][1]
    if gap > 32:
        problems.append(f"{gap:.0f} px between the options and the send bar")
    if screen == "390x844" and options[0][0] < height / 3:
        problems.append(f"first option starts at {options[0][0]:.0f}, in the top third")
    return problems
