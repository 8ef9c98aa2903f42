"""Debian's Chromium driven by playwright; screenshots go to artifacts/screenshots (git-ignored)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SHOTS, clear_artifacts, serve
from tests.utils.server import LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Quiet flags: this machine has no network but loopback, and Chromium must not try to phone home.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Package-scoped, not session-scoped: playwright's sync API keeps an event loop running in the main
# thread while it is open, and the live tests' asyncio.run() refuses to start under it. The scheduler
# (tests/conftest.py) hands a worker the browser modules first, so it starts Chromium once or twice.
@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for all browser tests (each makes its own session): starting one costs seconds."""
    yield from serve(tmp_path_factory)


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "Debian's chromium is not installed (scripts/test installs it when run as root)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def shots(request: pytest.FixtureRequest) -> Path:
    if not hasattr(request.config, "workerinput"):  # an xdist worker's were cleared at the start
        clear_artifacts()  # only this run's screens
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
