"""The Nu HTML checker (vnu.jar, from the `vnu-jar` package pinned in tests/html) as a local HTTP
service, started once per test process: the browser tests check every screen they look at as the
person has it (the page's DOM after its pushes and swaps), not a hand-written sample."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import time
from functools import cache
from pathlib import Path

import httpx

from deploy.ports import free_port

JAR = Path(__file__).resolve().parents[1] / "html/node_modules/vnu-jar/build/dist/vnu.jar"


class Unavailable(Exception):
    """No Java or no checker here: what to install is the message."""


class Checker:
    def __init__(self, url: str) -> None:
        self.url = url

    def errors(self, html: str) -> list[str]:
        """The checker's errors (not its warnings), one readable line each."""
        reply = httpx.post(
            f"{self.url}/?out=json",
            content=html.encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
            timeout=60,
        )
        return [
            f"line {m.get('lastLine', '?')}: {m['message']}"
            for m in reply.json()["messages"]
            if m["type"] == "error" or m.get("subType") == "fatal"
        ]


def checker() -> Checker:
    """This process's checker, started on first use (~3 s; ~60 ms a page after that). Whatever
    the first try met is met again at once: a checker that cannot start is not tried at every
    screen (a JVM's minute-long wait each)."""
    started = _started()
    if isinstance(started, Exception):
        raise started
    return started


@cache
def _started() -> Checker | Exception:
    try:
        return _start()
    except (Unavailable, RuntimeError) as exc:
        return exc


def _start() -> Checker:
    java = shutil.which("java")
    if java is None:
        raise Unavailable("Java is not installed (apt-get install default-jre-headless)")
    if not JAR.is_file():
        raise Unavailable("tests/html/node_modules is missing: scripts/test installs it (npm ci)")
    port = free_port()
    proc = subprocess.Popen(
        [java, "-Xmx384m", "-cp", str(JAR), "nu.validator.servlet.Main", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    atexit.register(proc.terminate)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a loaded machine starts the JVM slowly
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Nu HTML checker exited ({proc.returncode})")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return Checker(url)
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("the Nu HTML checker did not answer within 90 s")


def html_errors(html: str) -> list[str]:
    """The page's HTML errors; none where the checker cannot run here (test_screens says why)."""
    try:
        return checker().errors(html)
    except Unavailable:
        return []
