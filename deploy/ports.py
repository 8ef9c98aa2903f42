"""Ports for the servers the tests and the local topology start as subprocesses.

`bind(0)` hands out ports from the kernel's ephemeral range: the port is free when we ask, but
between closing the probe and the server's own bind another process (a second pytest-xdist
worker, or any outgoing connection) may be handed the same one. A replica that then fails to
bind leaves its port to someone else's server, and the test talks to the wrong Sparring.
So ports come from below the ephemeral range, where nobody is handed one by chance, from a
slice of their own per xdist worker, and each is checked free before it is given out.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import socket

FIRST, LAST = 12_000, 32_000  # below Linux's ephemeral range (32768-60999)
SLICES = 8  # parallel test workers that never share a port


def _slice() -> range:
    worker = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", "gw0"))
    index = int(worker.group(1)) % SLICES if worker else 0
    size = (LAST - FIRST) // SLICES
    return range(FIRST + index * size, FIRST + (index + 1) * size)


def _is_free(port: int) -> bool:
    with socket.socket() as probe:  # no SO_REUSEADDR: a port in TIME_WAIT counts as taken
        try:
            probe.bind(("0.0.0.0", port))  # every address: Caddy listens on all of them
        except OSError:
            return False
    return True


def _candidates() -> itertools.cycle[int]:
    ports = list(_slice())
    start = random.randrange(len(ports))  # two runs at once (a landing, a bench) start apart
    return itertools.cycle(ports[start:] + ports[:start])


_next = _candidates()


def free_port() -> int:
    """A port nobody listens on, not handed out before by this process."""
    for _ in range(len(_slice())):
        port = next(_next)
        if _is_free(port):
            return port
    raise RuntimeError("no free port left in this worker's slice")
