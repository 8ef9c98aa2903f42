"""A real OpenID provider (the `oidc-provider` package for Node.js, tests/oidc/provider.mjs) on a
free loopback port, and a Sparring server set up to log in through it."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from deploy.ports import free_port
from tests.utils.clients import TRUST
from tests.utils.server import LiveServer

HERE = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID, CLIENT_SECRET = "sparring", "klient-hemmelighed-til-test"
GROUPS = {  # tests/oidc/provider.mjs gives its accounts these groups
    "facilitator": "sparring-facilitatorer",
    "reviewer": "sparring-ledelse",
    "admin": "sparring-admins",
}


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.skip("Node.js is not installed: the single sign-on tests need it for their provider")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("tests/oidc/node_modules is missing: scripts/test installs it (npm ci)")
    return found


class Provider:
    def __init__(self, port: int) -> None:
        self.port = port

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def mode(self, mode: str) -> None:
        """normal, tamper (a changed ID token) or expired (re-signed, expired an hour ago)."""
        r = httpx.post(f"{self.issuer}/__test/mode", content=json.dumps({"mode": mode}))
        assert r.json() == {"mode": mode}


@contextmanager
def provider(sparring_url: str, log: Path) -> Iterator[Provider]:
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "OIDC_PORT": str(port),
        "OIDC_REDIRECT_URIS": f"{sparring_url}/sso/callback",
        "OIDC_POST_LOGOUT_URIS": f"{sparring_url}/facilitator/login",
    }
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [node(), str(HERE / "provider.mjs")], cwd=HERE, env=env, stdout=out, stderr=out
        )
    op = Provider(port)
    try:
        deadline = time.monotonic() + 60  # generous: a loaded machine starts node slowly
        well_known = f"{op.issuer}/.well-known/openid-configuration"
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the OpenID provider exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(well_known, verify=TRUST).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the OpenID provider did not answer within 60 s")
        yield op
    finally:
        proc.terminate()
        proc.wait(10)


def sparring_env(issuer: str, local_passwords: bool = True) -> dict[str, str]:
    return {
        "SPARRING_OIDC_ISSUER": issuer,
        "SPARRING_OIDC_CLIENT_ID": CLIENT_ID,
        "SPARRING_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "SPARRING_OIDC_SCOPES": "openid profile email groups",
        "SPARRING_OIDC_ROLE_CLAIM": "groups",
        "SPARRING_OIDC_FACILITATOR_VALUES": GROUPS["facilitator"],
        "SPARRING_OIDC_REVIEWER_VALUES": f"{GROUPS['reviewer']}, direktionen-ikke-brugt",
        "SPARRING_OIDC_ADMIN_VALUES": GROUPS["admin"],
        "SPARRING_LOCAL_PASSWORDS": "true" if local_passwords else "false",
    }


@contextmanager
def sparring_with_provider(data_dir: Path) -> Iterator[tuple[LiveServer, Provider]]:
    """The provider must know Sparring's address before Sparring knows the provider's: the port
    is chosen first."""
    port = free_port()
    with provider(f"http://127.0.0.1:{port}", data_dir / "provider.log") as op:
        server = LiveServer(data_dir, port=port, env=sparring_env(op.issuer))
        server.add_facilitator()
        server.start()
        try:
            yield server, op
        finally:
            server.stop()
