"""Whose address the limits count, on real servers: the connecting client's, unless the connection
comes from a configured proxy; and with Redis, one count for every replica.

Clients here connect from different loopback addresses (127.0.0.N), so the server sees real
distinct peers, as it would see phones in a room."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.routers.participant import JOIN_FAILURES_PER_MINUTE
from app.routers.signin import LOGIN_FAILURES_PER_MINUTE
from tests.utils.clients import arm_csrf
from tests.utils.postgres import postgres_missing
from tests.utils.redis import redis_missing
from tests.utils.server import FACILITATOR, LiveServer, two_replicas


def client(server: LiveServer, address: str, **headers: str) -> httpx.Client:
    """A browser on this loopback address, CSRF cookie in hand."""
    http = httpx.Client(
        base_url=server.url,
        transport=httpx.HTTPTransport(local_address=address),
        headers=headers,
        timeout=10,
    )
    http.get("/")
    arm_csrf(http)
    return http


def wrong_password(http: httpx.Client, **headers: str) -> int:
    data = {"username": FACILITATOR[0], "password": "forkert"}
    return http.post("/facilitator/login", data=data, headers=headers).status_code


def wrong_code(http: httpx.Client, **headers: str) -> int:
    return http.post("/join", data={"code": "ZZZZZZ"}, headers=headers).status_code


@pytest.fixture
def direct(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path)
    server.add_facilitator()
    server.start()
    yield server
    server.stop()


def test_without_a_trusted_proxy_no_forwarded_header_is_believed(direct: LiveServer) -> None:
    guesser = client(direct, "127.0.0.1")  # uvicorn believes loopback's headers by default
    codes = [
        wrong_password(guesser, **{"X-Forwarded-For": f"10.1.{n}.1"})
        for n in range(LOGIN_FAILURES_PER_MINUTE + 5)
    ]
    assert codes.count(401) == LOGIN_FAILURES_PER_MINUTE and codes[-1] == 429, codes
    # The limit is the guesser's: the facilitator on another address logs in.
    data = {"username": FACILITATOR[0], "password": FACILITATOR[1]}
    assert client(direct, "127.0.0.2").post("/facilitator/login", data=data).status_code == 303


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path, env={"SPARRING_TRUSTED_PROXIES": "127.0.0.3"})
    server.add_facilitator()
    server.start()
    yield server
    server.stop()


def test_behind_a_trusted_proxy_each_client_is_limited_by_its_own_address(
    behind_proxy: LiveServer,
) -> None:
    proxy = client(behind_proxy, "127.0.0.3")  # stands for Caddy: all its clients come from it
    for _ in range(JOIN_FAILURES_PER_MINUTE):
        assert wrong_code(proxy, **{"X-Forwarded-For": "192.0.2.66"}) == 400
    assert wrong_code(proxy, **{"X-Forwarded-For": "192.0.2.66"}) == 429
    assert wrong_code(proxy, **{"X-Forwarded-For": "192.0.2.7"}) == 400, "another phone"
    # A client that is not the proxy cannot choose its address by header.
    stranger = client(behind_proxy, "127.0.0.4")
    for n in range(JOIN_FAILURES_PER_MINUTE):
        assert wrong_code(stranger, **{"X-Forwarded-For": f"192.0.2.{100 + n}"}) == 400
    assert wrong_code(stranger, **{"X-Forwarded-For": "192.0.2.200"}) == 429


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    reason = postgres_missing() or redis_missing()
    if reason:
        pytest.skip(reason)
    with two_replicas(tmp_path) as pair:
        yield pair


def test_replicas_share_one_count_through_redis(replicas: tuple[LiveServer, LiveServer]) -> None:
    a, b = (client(server, "127.0.0.5") for server in replicas)
    half = JOIN_FAILURES_PER_MINUTE // 2
    assert [wrong_code(a) for _ in range(half)] == [400] * half
    assert [wrong_code(b) for _ in range(JOIN_FAILURES_PER_MINUTE - half)] == [400] * (
        JOIN_FAILURES_PER_MINUTE - half
    )
    assert wrong_code(a) == 429 and wrong_code(b) == 429, (
        "three replicas, not three times the tries"
    )
    statuses = [wrong_password(a if n % 2 else b) for n in range(LOGIN_FAILURES_PER_MINUTE + 1)]
    assert statuses[-1] == 429 and statuses.count(401) == LOGIN_FAILURES_PER_MINUTE
    other = client(replicas[1], "127.0.0.6")
    assert wrong_code(other) == 400, "another client on the same replicas"
