"""Shared fixtures: a real server process for the whole run, and a logged-in facilitator."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.utils.clients import Facilitator
from tests.utils.server import FACILITATOR, LiveServer

# Every server under test, in-process or its own process, refuses database use on its event loop
# (app.db.guard_loop): a handler that reads or writes there fails the test that walks it.
os.environ["SPARRING_LOOP_GUARD"] = "1"

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SHOTS = ARTIFACTS / "screenshots"  # the browser tests' screens (git-ignored)

# scripts/test runs the suite on two pytest-xdist workers (`-n 2 --dist loadfile`), module by module:
# a module's own server starts once. The machine's CPU is the limit, so the long modules go first
# (heaviest first; in brackets their seconds in a two-worker run of the whole suite on a 2-core
# machine) and the short ones fill in behind them; the tests of SPREAD modules are scheduled one
# by one (their rooms and chunks are independent), so no one module is the tail of the run. Every
# browser module comes before every other: the browser package's Chromium and server are
# package-scoped (see tests/browser/conftest.py) and start again each time a worker comes back.
LONG = (
    "tests/browser/test_projector_fit.py",  # 200 (5 rooms)
    "tests/browser/test_room.py",  # 86
    "tests/browser/test_own_cases.py",  # 78
    "tests/browser/",  # the rest of the browser tests, 170 in all
    "tests/routers/test_schema_fuzz.py",  # 60 (4 chunks)
    "tests/live/test_durability.py",  # 83 (three setups)
    "tests/live/test_lived_in.py",  # 71 (two writers)
    "tests/live/test_month.py",  # 48
    "tests/test_bench_smoke.py",  # 36
)
SPREAD = frozenset({"tests/browser/test_projector_fit.py", "tests/routers/test_schema_fuzz.py"})


def rank(nodeid: str) -> int:
    """Where a test's module stands in LONG (a folder there stands for the modules in it)."""
    module = nodeid.split("::", 1)[0]
    return next((n for n, long in enumerate(LONG) if module.startswith(long)), len(LONG))


def clear_artifacts() -> None:
    """Only this run's screens and font sizes in artifacts/."""
    shutil.rmtree(SHOTS, ignore_errors=True)
    for sizes in ARTIFACTS.glob("projector-fonts-*.json"):
        sizes.unlink()


def pytest_configure(config: pytest.Config) -> None:
    # Under xdist the controller clears the artifacts once, before any worker writes some.
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        clear_artifacts()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker: the LONG modules first, heaviest first; the rest in their own order
    (every worker collects alike, and the scheduler hands out modules in this order)."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: rank(item.nodeid))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile`, in collection order (the LONG modules first), SPREAD modules test by test."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LongFirst(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return nodeid if module in SPREAD else module

    config.option.loadscopereorder = False  # keep the order above, not the biggest module first
    return LongFirst(config, log)


def serve(
    tmp_path_factory: pytest.TempPathFactory, env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """A started server with a facilitator account, stopped afterwards (the body of a fixture)."""
    live = LiveServer(Path(tmp_path_factory.mktemp("live")), env=env)
    live.add_facilitator()
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for every module that needs no settings of its own: each test makes its own
    sessions and codes, and starting a server costs seconds (a module that must have a fresh one,
    or other settings, overrides this fixture)."""
    yield from serve(tmp_path_factory)


@pytest.fixture
def facilitator(server: LiveServer) -> Facilitator:
    person = Facilitator(server.url)
    person.login(*FACILITATOR)
    return person
