"""Static files: versioned URLs (a file's content in its query), cached for a year when versioned,
gzip-compressed on the way out; and /favicon.ico, which browsers ask for on every site."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
FOREVER = "public, max-age=31536000, immutable"  # the URL changes when the file does


@cache
def _version(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """/static/NAME?v=CONTENT: a new file is a new URL, so browsers may keep the old one forever."""
    return f"/static/{name}?v={_version(name)}"


class StaticGzip:
    """Compress static files only: pages carry a CSRF token beside text people typed, which
    compression must not mix (BREACH)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/static/"):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def add_assets(app: FastAPI) -> None:
    @app.middleware("http")
    async def cache_static(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if request.url.path.startswith("/static/") and response.status_code == 200:
            versioned = request.query_params.get("v") == _version_or_none(request.url.path)
            response.headers["Cache-Control"] = FOREVER if versioned else "no-cache"
        return response

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(
            STATIC_DIR / "favicon.svg",
            media_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.add_middleware(StaticGzip)


def _version_or_none(path: str) -> str | None:
    name = path.removeprefix("/static/")
    if "/" in name or not (STATIC_DIR / name).is_file():
        return None
    return _version(name)
