"""Shared fixtures: a real server process for the whole run, and a logged-in facilitator."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.clients import Facilitator
from tests.utils.server import FACILITATOR, LiveServer

# Every server under test, in-process or its own process, refuses database use on its event loop
# (app.db.guard_loop): a handler that reads or writes there fails the test that walks it.
os.environ["SPARRING_LOOP_GUARD"] = "1"


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
