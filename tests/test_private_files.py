"""The data folder holds raw reasons, aliases and password hashes: only the server's user reads
it. The first login's password is printed once, when it is made, not at every start (logs)."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import httpx

from tests.utils.server import LiveServer


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_files_are_private_and_the_password_is_printed_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = LiveServer(data)
    data.mkdir(mode=0o755)
    server.start()
    try:
        httpx.get(f"{server.url}/facilitator/login")  # a request, so the WAL is in use
        files = {p.name: mode(p) for p in data.iterdir() if p.name != "server.log"}
        assert mode(data) == 0o700
        assert {"sparring.db", "sparring.db-wal", "sparring.db-shm"} <= set(files), files
        assert {name: m for name, m in files.items() if m != 0o600} == {}
    finally:
        server.stop()
    first = (data / "server.log").read_text()
    password = re.search(r"adgangskode: (\S+)\)", first)
    assert password, first
    assert password.group(1) in (data / "first-login.txt").read_text()

    # An installation from before: its files were readable by everyone. The next start mends them.
    for path in data.iterdir():
        path.chmod(0o644)
    data.chmod(0o755)
    server.start()
    server.stop()
    assert mode(data) == 0o700 and mode(data / "sparring.db") == 0o600
    assert mode(data / "first-login.txt") == 0o600
    again = (data / "server.log").read_text()[len(first) :]
    assert "Sparring kører" in again and password.group(1) not in again
    assert "first-login.txt" in again, "where to find it is said instead"
