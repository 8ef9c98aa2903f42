"""Every seeded case on the projector at 1920x1080, in every phase and every part of the result,
in a room with people in it (twelve bot phones and one real 360x640 one): no scrollbar, nothing
cut off, no text under 28 px (case text under 32 px); on the phone no word broken over two lines,
no tap target under 44 px. The smallest font per phase and the phone's scroll position at each new
phase go to artifacts/.

The cases run in a few rooms of their own (CHUNKS), each a test of its own: under pytest-xdist they
run side by side, and together they are every seeded case in every phase, as one room was."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from app.domain.phases import Format, Phase, sequence
from app.library import load_library
from tests.browser.screens import (
    phone_problems,
    projector_findings,
    staff_pages,
)
from tests.utils.clients import Facilitator
from tests.utils.server import LiveServer

pytestmark = pytest.mark.browser
SEED = Path(__file__).resolve().parents[2] / "seed"
LIBRARY = load_library(SEED)  # parsing the seed files takes a while: once per worker
LONGEST = "kl-04-udvikling-af-udkantsomraader"
BOTS = 12
CHUNKS = 4  # rooms the dilemma cases are split over (the longest case is in the first)
# Where the 360x640 phone stands when a phase has come: how far scrolled, where the phase's name is.
PHONE_SCROLL = """() => {
  const name = document.querySelector('#phone-stage .phase-name, #phone-stage h2');
  return [Math.round(scrollY), name ? Math.round(name.getBoundingClientRect().top) : -1];
}"""
RESULTS = (Phase.REVEAL, Phase.REVOTE, Phase.CLOSED)
KOLLEGA = Format.KOLLEGASPARRING
LONG_ANSWER = (
    "Vi vil gå til direktøren med det samme og sige tydeligt, at tallene ikke holder, og at "
    "udvalget skal have det fulde billede, også det ubehagelige, før de beslutter noget. Vi "
    "skriver det ned, så der er et spor, og vi tilbyder at forklare det på næste møde. Det er "
    "ikke vores opgave at beskytte nogen mod dårlige nyheder; det er vores opgave at rådgive "
    "ærligt, sagligt og i tide, også når det er upopulært hos den politiske ledelse."
)


@contextmanager
def bots(server: LiveServer, code: str) -> Iterator[None]:
    """Twelve bot phones (app/simulate.py) that vote and answer as the phases move."""
    command = [sys.executable, "-m", "app.cli", "simulate", "--url", server.url, "--code", code]
    command += ["--participants", str(BOTS), "--think", "0", "--seed", "13"]
    proc = subprocess.Popen(command, env=server.env, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(10)


def walk(
    server: LiveServer,
    chromium: Browser,
    fac: Facilitator,
    slugs: list[str],
    shots: Path,
    name: str,
    fmt: Format = Format.DILEMMA,
) -> tuple[list[str], list[tuple[str, str, float, str]]]:
    """Run the cases through every phase; returns the problems and (case, where, px, text).
    Screenshots of the longest case, and of the lobby and the end of the room that has it."""
    code = fac.create_session("Alle cases", slugs, group_size=4, fmt=fmt)
    control, projector = staff_pages(chromium, server.url, dict(fac.http.cookies), code)
    phone_context = chromium.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, locale="da-DK"
    )
    phone = phone_context.new_page()
    phone.goto(f"{server.url}/j/{code}")
    phone.get_by_role("button", name="Deltag").tap()
    problems: list[str] = []
    sizes: list[tuple[str, str, float, str]] = []
    scroll: list[tuple[str, str, int, int]] = []
    stage = projector.locator("#proj-stage")

    def look(slug: str, where: str) -> None:
        expect(projector.locator(".htmx-settling, .htmx-swapping")).to_have_count(0)
        found, px, text = projector_findings(projector)
        problems.extend(f"{slug} {where}: {p}" for p in found)
        problems.extend(f"{slug} {where} (phone 360px): {p}" for p in phone_problems(phone))
        sizes.append((slug, where, px, text))
        if LONGEST in slugs and slug in (LONGEST, "lobby", "ended"):
            shot = f"{fmt[:5]}-{slug[:5]}-{where}.png"
            projector.screenshot(path=str(shots / f"projector-fit-{shot}"))
            control.screenshot(path=str(shots / f"facilitator-fit-{shot}"))
            phone.screenshot(path=str(shots / f"phone-fit-{shot}"))

    with bots(server, code):
        expect(projector.locator(".join-count")).to_contain_text(
            f"{BOTS + 1} er med", timeout=60_000
        )
        look("lobby", "lobby")
        assert fac.act(code, "start") == ""
        for number, slug in enumerate(slugs):
            case = next(c for c in LIBRARY.cases if c.slug == slug)
            if number:
                assert fac.act(code, "next-case") == ""
            for phase in sequence(fmt, bool(case.options)):
                if phase != Phase.PRESENT:
                    assert fac.act(code, "phase", action=phase) == ""
                expect(stage).to_have_attribute("data-phase", phase)
                expect(phone.locator("#phone-stage")).to_have_attribute("data-phase", phase)
                scroll.append((slug, phase, *phone.evaluate(PHONE_SCROLL)))
                settle(projector, phone, phase, slug)
                if phase in RESULTS:
                    parts = max(1, projector.locator(".reveal-steps li").count())
                    for part in range(parts):
                        if part:
                            assert fac.act(code, "step", step=part) == ""
                            expect(projector.locator(".reveal-steps .current")).to_have_count(1)
                            current = projector.locator(".reveal-steps li").nth(part)
                            expect(current).to_have_class("current")
                        look(slug, f"{phase}-{part + 1}")
                else:
                    look(slug, phase)
        assert fac.act(code, "end") == ""
        expect(stage).to_have_attribute("data-phase", "ended")
        look("ended", "ended")
    control.context.close()
    phone_context.close()
    lines = [
        f"{slug} {where}: scrollY {y}, phase name at {top} px" for slug, where, y, top in scroll
    ]
    (shots.parent / f"phone-scroll-{name}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    return problems, sizes


def settle(projector: Page, phone: Page, phase: Phase, slug: str) -> None:
    """Wait for the room to have done its part: everyone voted, every group answered."""
    progress = projector.locator("#progress")
    if phase in (Phase.VOTE, Phase.REVOTE):
        phone.locator("#vote-form label.choice").first.tap()
        if phase == Phase.VOTE:  # the duty split shows beside the perspective
            phone.locator("#vote-duty").select_option(index=1)
        phone.locator("#vote-form .vote-send button").tap()
        expect(progress).to_contain_text(f"{BOTS + 1} af {BOTS + 1} til stede har stemt")
    if phase == Phase.GROUP_ANSWER:
        expect(progress.locator(".all-answered")).to_be_visible(timeout=20_000)
        if slug == LONGEST:  # the longest answer a group might write, on the wall
            # Over the group's saved answer, once the phone's form has it: typed before its
            # push lands, the form keeps the edits and the save is (rightly) a conflict.
            base = phone.locator("#answer-form input[name=base_version]")
            expect(base).not_to_have_value("0")
            phone.locator("#answer-text").fill(LONG_ANSWER)
            phone.locator("#answer-form button[type=submit]").tap()
            expect(phone.locator("#group-answer-current")).to_contain_text("upopulært")


def rooms() -> dict[str, tuple[Format, list[str]]]:
    """The rooms by name: the dilemma cases in CHUNKS rooms (the longest first, in the first), and
    kollegasparring's own steps (clarify, reflect, advice) with the longest and two more."""
    slugs = [case.slug for case in LIBRARY.cases]
    slugs.remove(LONGEST)
    every = [LONGEST, *slugs]
    size = -(-len(every) // CHUNKS)
    found = {
        f"dilemma-{n + 1}": (Format.DILEMMA, every[n * size : (n + 1) * size])
        for n in range(CHUNKS)
    }
    found["kollegasparring"] = (KOLLEGA, [LONGEST, *slugs[:2]])
    return found


ROOMS = rooms()


def test_the_rooms_hold_every_seeded_case_once() -> None:
    assert LIBRARY.cases and not LIBRARY.errors
    dilemma = [slug for fmt, slugs in ROOMS.values() if fmt == Format.DILEMMA for slug in slugs]
    assert sorted(dilemma) == sorted(case.slug for case in LIBRARY.cases)


@pytest.mark.parametrize("room", list(ROOMS))
def test_every_seeded_case_fits_the_projector(
    room: str, server: LiveServer, browser: Any, facilitator: Facilitator, shots: Path
) -> None:
    fmt, slugs = ROOMS[room]
    problems, sizes = walk(server, browser, facilitator, slugs, shots, room, fmt)
    if fmt == KOLLEGA:
        sizes = [(slug, f"kollegasparring {where}", px, text) for slug, where, px, text in sizes]
    # The smallest font per phase over every room that has run (each room leaves its own sizes).
    (shots.parent / f"projector-fonts-{room}.json").write_text(json.dumps(sizes), "utf-8")
    smallest: dict[str, tuple[float, str, str]] = {}
    for part in sorted(shots.parent.glob("projector-fonts-*.json")):
        for slug, where, px, text in json.loads(part.read_text("utf-8")):
            phase = where.rsplit("-", 1)[0]
            if phase not in smallest or px < smallest[phase][0]:
                smallest[phase] = (px, slug, text)
    report = [f"{phase}: {px} px ({slug}: {text})" for phase, (px, slug, text) in smallest.items()]
    (shots.parent / "projector-fonts.txt").write_text("\n".join(report) + "\n", "utf-8")
    assert problems == [], "\n".join(problems)
