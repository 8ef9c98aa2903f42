"""schemathesis against the OpenAPI schema: every operation gets requests that fit its schema, requests
that break it, and requests aimed at a real session and case, as a logged-in facilitator who is also a
phone in that session, with the page's CSRF token. No answer may be a server error or break its own
documented response schema."""

from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy
from schemathesis import APIOperation, Case
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.config import Settings
from tests.routers.conftest import app_client, log_in, new_session

EXAMPLES = 10  # per operation and kind of input: about 1,000 requests in all
CHECKS = [not_a_server_error, response_schema_conformance]
SLUG = "kl-01-spareoevelsen"
SENT = ("method", "url", "params", "headers", "data", "content", "files", "json")


def send(http: TestClient, case: Case, seen: Counter[str]) -> None:
    """One generated request through the test's own client (its cookies and CSRF header), checked;
    logged in again if the request logged the facilitator out."""
    request = case.as_transport_kwargs()
    assert not request.get("cookies"), "the schema declares no cookies"
    body = request.get("data")
    if isinstance(body, bytes | str):  # a raw body (a broken multipart form): httpx sends it as is
        request["content"] = request.pop("data")
    if request.get(
        "files"
    ):  # requests would str() a generated non-bytes file body; httpx needs it done
        request["files"] = [(name, _as_text(file)) for name, file in request["files"]]
    sent = {key: request[key] for key in SENT if key in request}
    response = http.request(**sent)
    seen[str(response.status_code)] += 1
    response.request.read()  # a multipart body is a stream: read, so the checks can look at it
    case.validate_response(response, checks=CHECKS)
    if case.operation.path.startswith("/api/"):  # scripts get JSON, errors included
        assert response.headers["content-type"] == "application/json", response.text
    if case.operation.path == "/facilitator/logout":
        log_in(http)


def _as_text(file: tuple[Any, ...]) -> tuple[Any, ...]:
    filename, content, *rest = file
    return (filename, content if isinstance(content, bytes | str) else str(content), *rest)


def run(http: TestClient, strategy: SearchStrategy[Case], seen: Counter[str]) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same requests every run: a failure here is a bug, never luck
        suppress_health_check=list(HealthCheck),
    )
    def attempt(case: Case) -> None:
        send(http, case, seen)

    with contextlib.suppress(Unsatisfiable):  # no input of this operation can break its schema
        attempt()


def breakable(operation: APIOperation) -> bool:
    """Whether a request can break the operation's schema. A path parameter that is any string
    cannot: asked for one anyway, hypothesis searched a second before giving up (Unsatisfiable),
    for 33 operations a third of this test's time, and sent nothing."""
    if operation.query or operation.headers or operation.cookies or operation.body:
        return True
    return not all(_any_string(p.definition["schema"]) for p in operation.path_parameters)


def _any_string(schema: dict[str, Any]) -> bool:
    return {key: value for key, value in schema.items() if key != "title"} == {"type": "string"}


CHUNKS = 4  # the operations in this many tests of their own: pytest-xdist runs them side by side


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_no_request_the_schema_allows_or_forbids_breaks_the_app(chunk: int, tmp_path: Path) -> None:
    """Every CHUNKS-th operation from the `chunk`-th on: together the chunks are every operation."""
    with app_client(Settings(data_dir=tmp_path)) as http:
        log_in(http)
        code = new_session(http)
        assert http.post("/join", data={"code": code}).status_code == 303  # and a phone in it
        real = {"code": code, "slug": SLUG, "set_slug": "kl"}
        schema = schemathesis.openapi.from_asgi("/openapi.json", http.app)
        seen: Counter[str] = Counter()
        every = [result.ok() for result in schema.get_all_operations()]
        assert len(every) > 40
        operations = every[chunk::CHUNKS]
        for operation in operations:
            names = {parameter.name for parameter in operation.path_parameters}
            run(http, operation.as_strategy(GenerationMode.POSITIVE), seen)
            if breakable(operation):
                run(http, operation.as_strategy(GenerationMode.NEGATIVE), seen)
            if names & set(real):
                aimed = {name: value for name, value in real.items() if name in names}
                run(http, operation.as_strategy(path_parameters=aimed), seen)
        print(f"{len(operations)} operations, {sum(seen.values())} requests, by status: {seen}")
        assert operations and sum(seen.values()) > 15 * len(operations)
        assert "500" not in seen
