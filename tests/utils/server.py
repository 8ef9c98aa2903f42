"""A real Sparring server in a subprocess on a free port, with its own data folder."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from deploy.ports import free_port
from tests.utils.clients import TRUST

FACILITATOR = ("fac", "hemmelig-test-kode")
REVIEWER = ("chef", "laeser-kun-test-kode")


class LiveServer:
    def __init__(
        self, data_dir: Path, port: int | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "SPARRING_DATA_DIR": str(data_dir),
            "SPARRING_TALLY_PUSH_INTERVAL": "0.05",
            **(env or {}),
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_facilitator(self) -> None:
        self.add_user(*FACILITATOR)

    def add_user(self, username: str, password: str, role: str = "facilitator") -> None:
        """As `sparring user add` does, in this process: a second interpreter importing the app
        cost a second per server (the CLI's own surface is tested in tests/test_cli_users.py)."""
        from sqlmodel import Session as Db

        from app.cli import add_user
        from app.config import Settings
        from app.db import make_engine

        with environment(self.env):
            settings = Settings()
        engine = make_engine(settings)
        try:
            with Db(engine) as db:
                add_user(db, username, password, role)
        finally:
            engine.dispose()

    def start(self) -> None:
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115  (kept open for the child)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        # Generous: a loaded CI machine can take long to import and migrate; a healthy start is ~1 s.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited: {(self.data_dir / 'server.log').read_text()[-2000:]}"
                )
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1, verify=TRUST).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop(signal.SIGKILL)  # never leave a half-started server behind
        raise RuntimeError("server did not answer within 60 s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=15)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """os.environ is `env` inside (settings are read from it), as it was afterwards."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def two_replicas(
    folder: Path, more: dict[str, str] | None = None
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two servers on one fresh PostgreSQL database and the local Redis, as replicas behind a
    proxy would run: the same secret key, any of them serves any page. A facilitator account.
    `more`: settings for both (environment variables)."""
    from tests.utils.postgres import fresh_database
    from tests.utils.redis import REDIS_URL

    with fresh_database() as url:
        env = {
            "SPARRING_DATABASE_URL": url,
            "SPARRING_REDIS_URL": REDIS_URL,
            "SPARRING_REDIS_PREFIX": f"test-{secrets.token_hex(4)}",
            "SPARRING_SECRET_KEY": secrets.token_urlsafe(32),  # every worker signs the same cookies
            **(more or {}),
        }
        a, b = LiveServer(folder / "a", env=env), LiveServer(folder / "b", env=env)
        for server in (a, b):
            server.data_dir.mkdir()
        a.add_facilitator()
        try:
            a.start()
            b.start()
            yield a, b
        finally:
            a.stop()
            b.stop()
