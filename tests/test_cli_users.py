"""`sparring user add | password | remove | list`, run as the command an administrator types."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.utils.clients import arm_csrf


def sparring(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPARRING_DATA_DIR": str(data_dir), "SPARRING_DATABASE_URL": ""}
    command = [sys.executable, "-m", "app.cli", "user", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def logs_in(data_dir: Path, username: str, password: str) -> bool:
    with TestClient(create_app(Settings(data_dir=data_dir)), follow_redirects=False) as http:
        http.get("/")
        arm_csrf(http)
        data = {"username": username, "password": password}
        return http.post("/facilitator/login", data=data).status_code == 303


def test_an_administrator_manages_accounts(tmp_path: Path) -> None:
    assert sparring(tmp_path, "add", "birthe", "--password", "foerste-kode-1").returncode == 0
    assert sparring(tmp_path, "add", "chef", "--role", "reviewer").returncode == 0
    listing = sparring(tmp_path, "list").stdout
    assert "birthe\tfacilitator" in listing and "chef\treviewer" in listing
    assert logs_in(tmp_path, "birthe", "foerste-kode-1")

    changed = sparring(tmp_path, "password", "birthe", "--password", "anden-kode-2")
    assert changed.returncode == 0 and "anden-kode-2" in changed.stdout
    assert not logs_in(tmp_path, "birthe", "foerste-kode-1")
    assert logs_in(tmp_path, "birthe", "anden-kode-2")

    assert sparring(tmp_path, "remove", "birthe").returncode == 0
    assert "birthe" not in sparring(tmp_path, "list").stdout
    assert not logs_in(tmp_path, "birthe", "anden-kode-2")
    again = sparring(tmp_path, "remove", "birthe")
    assert again.returncode != 0 and "findes ikke" in again.stderr
