"""What compose.yaml describes, run on this machine without Docker: Caddy (Debian's package) in
front of the app replicas (`sparring serve`), a PostgreSQL and a Redis of its own, and the init
step (migrate, seed, first user) once before the replicas start.

One source for the settings: the replicas' environment, their number, the init command and the
Caddyfile are read from compose.yaml and deploy/Caddyfile; only what names a container (the
database and Redis hosts, Caddy's address, the domain) is replaced by this machine's equivalent.

    .venv/bin/python -m deploy.topology        # prints the address, runs until Ctrl-C

The tests (tests/live/test_topology.py) start it, load it and break it on purpose.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from deploy.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yaml"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
PG_BIN = Path("/usr/lib/postgresql")
LOOPBACK = "127.0.0.1"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def _interpolate(value: str, env: dict[str, str]) -> str:
    """compose's ${NAME}, ${NAME:-default} and ${NAME:?error}, and $$ for a literal $."""

    def one(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if name in env and (env[name] or op != ":-"):
            return env[name]
        if op == ":-":
            return rest
        raise KeyError(f"{name} is not set ({rest})")

    value = re.sub(r"\$\{(\w+)(:[-?])?([^}]*)\}", one, value)
    return value.replace("$$", "$")


def replica_environment(local: dict[str, str]) -> dict[str, str]:
    """compose.yaml's environment of the app replicas, with this machine's values filled in."""
    env = compose()["services"]["app"]["environment"]
    return {key: _interpolate(str(value), local) for key, value in env.items()}


def caddyfile(upstreams: list[str], storage: Path, http_port: int, https_port: int) -> str:
    """deploy/Caddyfile with the replicas as fixed upstreams (compose finds them by DNS), Caddy's
    own CA for https://localhost, and its files in `storage`."""
    text = CADDYFILE.read_text()
    dynamic = re.compile(r"dynamic a \{[^}]*\}\n", re.S)
    assert dynamic.search(text), "deploy/Caddyfile no longer finds the replicas by DNS"
    text = dynamic.sub("to " + " ".join(upstreams) + "\n", text)
    options = (
        "{\n\tadmin off\n\tskip_install_trust\n"
        f"\tstorage file_system {storage}\n\thttp_port {http_port}\n\thttps_port {https_port}\n}}\n\n"
    )
    return options + text


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = open(self.log, "ab")  # noqa: SIM115  (kept open for the child)
        self.proc = subprocess.Popen(self.command, env=self.env, stdout=out, stderr=out)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.running():
            assert self.proc is not None
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Postgres:
    """A PostgreSQL cluster of its own (so a test may restart it), as compose's postgres service:
    database and user `sparring`."""

    def __init__(self) -> None:
        versions = sorted(PG_BIN.glob("*/bin/initdb"))
        if not versions:
            raise RuntimeError("PostgreSQL's server programs are missing (/usr/lib/postgresql)")
        self.bin = versions[-1].parent
        # Its own folder under /tmp: the server runs as `postgres`, who must reach it.
        self.home = Path(tempfile.mkdtemp(prefix="sparring-pg-"))
        self.folder = self.home / "data"
        self.port = free_port()
        self.url = f"postgresql://sparring@{LOOPBACK}:{self.port}/sparring"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True)

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.folder), "-U", "sparring", "-A", "trust")
        self.start()
        self._run(
            str(self.bin / "createdb"),
            "-h",
            LOOPBACK,
            "-p",
            str(self.port),
            "-U",
            "sparring",
            "sparring",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses={LOOPBACK}"
        log = str(self.home / "postgres.log")  # pg_ctl must not hold our pipes open
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.folder),
            "-o",
            options,
            "-l",
            log,
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)


@dataclass
class Topology:
    folder: Path
    replicas: int = 0  # 0: as many as compose.yaml says
    processes: dict[str, Process] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.replicas = self.replicas or int(compose()["services"]["app"]["deploy"]["replicas"])
        self.postgres = Postgres()
        self.redis_port = free_port()
        self.http_port, self.https_port = free_port(), free_port()
        self.ports = [free_port() for _ in range(self.replicas)]
        self.url = f"https://localhost:{self.https_port}"
        self.admin = ("facilitator", secrets.token_urlsafe(12))
        # What compose.yaml's ${...} read from .env, and this machine's stand-ins for containers.
        self.local = {
            "POSTGRES_PASSWORD": "",
            "SPARRING_SECRET_KEY": secrets.token_urlsafe(48),
            "SPARRING_DOMAIN": f"localhost:{self.https_port}",
            "SPARRING_ADMIN_USER": self.admin[0],
            "SPARRING_ADMIN_PASSWORD": self.admin[1],
        }

    @property
    def ca(self) -> Path:
        """Caddy's own root certificate: what a client trusts to reach https://localhost."""
        return self.folder / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))

    def environment(self, port: int | None = None) -> dict[str, str]:
        env = replica_environment(self.local)
        containers = {  # compose's service names, and where they are here
            "sparring:@postgres:5432/sparring": f"sparring@{LOOPBACK}:{self.postgres.port}/sparring",
            "redis://redis:6379": f"redis://{LOOPBACK}:{self.redis_port}",
        }
        for key, value in env.items():
            for there, here in containers.items():
                value = value.replace(there, here)
            env[key] = value
        env["SPARRING_HOST"] = LOOPBACK
        env["SPARRING_PORT"] = str(port or 0)
        env["SPARRING_TRUSTED_PROXIES"] = LOOPBACK  # where Caddy connects from here
        env["SPARRING_DATA_DIR"] = str(self.folder / f"replica-{port}")
        return {**os.environ, **env, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}

    def start(self) -> None:
        self.postgres.create()
        self._start_redis()
        self.init()
        for n, port in enumerate(self.ports):
            self._replica(n, port).start()
        for n in range(self.replicas):
            self.wait_replica(n)
        self._start_caddy()

    def init(self) -> None:
        """compose's init service: its command, once, with its environment."""
        service = compose()["services"]["init"]
        command = _interpolate(str(service["command"][-1]), {})
        env = self.environment()
        env.update({k: _interpolate(str(v), self.local) for k, v in service["environment"].items()})
        env["SPARRING_DATABASE_URL"] = self.environment()["SPARRING_DATABASE_URL"]
        subprocess.run(["sh", "-c", command], env=env, check=True, capture_output=True)

    def _replica(self, n: int, port: int) -> Process:
        Path(self.environment(port)["SPARRING_DATA_DIR"]).mkdir(exist_ok=True)
        process = Process(
            f"app-{n}",
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            self.environment(port),
            self.folder / f"app-{n}.log",
        )
        self.processes[process.name] = process
        return process

    def wait_replica(self, n: int, timeout: float = 60) -> None:
        url = f"http://{LOOPBACK}:{self.ports[n]}/api/health"
        # One client for the whole wait: a new one per poll loads the CA bundle (~45 ms of CPU).
        with httpx.Client(timeout=1) as http:
            _wait(lambda: http.get(url).status_code == 200, timeout, f"app-{n}")

    def _start_redis(self) -> None:
        # As compose's redis service: pub/sub only, nothing persisted.
        command = compose()["services"]["redis"]["command"]
        process = Process(
            "redis",
            [
                shutil.which(command[0]) or command[0],
                *command[1:],
                "--port",
                str(self.redis_port),
                "--bind",
                LOOPBACK,
                "--dir",
                str(self.folder),
            ],
            dict(os.environ),
            self.folder / "redis.log",
        )
        self.processes["redis"] = process
        process.start()
        _wait(lambda: _answers(self.redis_port), 10, "redis")

    def restart_redis(self) -> None:
        self.processes["redis"].stop()
        self._start_redis()

    def _start_caddy(self) -> None:
        config = self.folder / "Caddyfile"
        upstreams = [f"{LOOPBACK}:{port}" for port in self.ports]
        config.write_text(
            caddyfile(upstreams, self.folder / "caddy", self.http_port, self.https_port)
        )
        env = {**os.environ, **self.local, "XDG_DATA_HOME": str(self.folder / "caddy-home")}
        caddy = shutil.which("caddy")
        if caddy is None:
            raise RuntimeError("Caddy is missing (apt-get install caddy)")
        process = Process(
            "caddy",
            [caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
            env,
            self.folder / "caddy.log",
        )
        self.processes["caddy"] = process
        process.start()
        _wait(lambda: self.ca.exists() and _https_ok(self), 30, "caddy")

    def kill(self, n: int) -> None:
        self.processes[f"app-{n}"].stop(signal.SIGKILL)

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()
        with contextlib.suppress(subprocess.CalledProcessError):  # a test may have stopped it
            self.postgres.stop()
        self.postgres.remove()


def _answers(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((LOOPBACK, port)) == 0


def _https_ok(topology: Topology) -> bool:
    context = topology.ssl_context()
    return httpx.get(f"{topology.url}/api/health", verify=context, timeout=2).status_code == 200


def _wait(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError, ssl.SSLError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout} s")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sparring-topology-") as tmp:
        topology = Topology(Path(tmp))
        try:
            topology.start()
            print(f"Sparring (topologi som compose.yaml): {topology.url}/facilitator")
            print(
                f"  login: {topology.admin[0]} / {topology.admin[1]}; Caddys rodcertifikat: {topology.ca}"
            )
            print(f"  {topology.replicas} replikaer på {topology.ports}; Ctrl-C stopper alt")
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
        finally:
            topology.stop()


if __name__ == "__main__":
    main()
