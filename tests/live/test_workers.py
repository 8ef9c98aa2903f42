"""`sparring serve --workers N`: several processes on one machine's cores, one port."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from deploy.ports import free_port
from tests.utils.clients import TRUST
from tests.utils.postgres import fresh_database, postgres_missing
from tests.utils.redis import REDIS_URL, redis_missing


def serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    return subprocess.Popen(
        [*command, "--workers", str(workers)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_several_workers_need_redis(tmp_path: Path) -> None:
    done = serve({"SPARRING_DATA_DIR": str(tmp_path)}, free_port(), 2)
    out, _ = done.communicate(timeout=60)
    assert done.returncode == 1 and "SPARRING_REDIS_URL" in out, out


@pytest.mark.skipif(
    bool(postgres_missing() or redis_missing()), reason=postgres_missing() or redis_missing()
)
def test_two_workers_serve_one_port(tmp_path: Path) -> None:
    port = free_port()
    with fresh_database() as url:
        env = {
            "SPARRING_DATA_DIR": str(tmp_path),
            "SPARRING_DATABASE_URL": url,
            "SPARRING_REDIS_URL": REDIS_URL,
            "SPARRING_REDIS_PREFIX": f"test-{secrets.token_hex(4)}",
        }
        server = serve(env, port, 2)
        try:
            answered, children = False, []
            deadline = time.monotonic() + 60
            while not (answered and len(children) >= 2) and time.monotonic() < deadline:
                time.sleep(0.05)
                try:
                    r = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2, verify=TRUST)
                    answered = r.status_code == 200
                except httpx.HTTPError:
                    pass
                children = subprocess.run(
                    ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
                ).stdout.split()
            assert answered and len(children) >= 2, ("one port, two worker processes", children)
        finally:
            server.terminate()
            server.wait(timeout=30)
