"""Static files: versioned URLs (a file's content in its query), cached for a year when versioned,
gzip-compressed on the way out; and /favicon.ico, which browsers ask for on every site."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
FOREVER = "public, max-age=31536000, immutable"  # the URL changes when the file does


@cache
def _version(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """/static/NAME?v=CONTENT: a new file is a new URL, so browsers may keep the old one forever."""
    return f"/static/{name}?v={_version(name)}"


class StaticOut:
    """ASGI middleware for static files on their way out: cached for a year when the URL carries
    the file's version, else revalidated; gzip-compressed. Pages are never compressed: they carry
    a CSRF token beside text people typed, which compression must not mix (BREACH)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if not path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        asked = parse_qs(scope["query_string"].decode("latin-1")).get("v", [None])[-1]
        versioned = asked is not None and asked == _version_or_none(path)

        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                MutableHeaders(scope=message)["Cache-Control"] = (
                    FOREVER if versioned else "no-cache"
                )
            await send(message)

        await self.gzip(scope, receive, send_cached)


def add_assets(app: FastAPI) -> None:
    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(
            STATIC_DIR / "favicon.svg",
            media_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.add_middleware(StaticOut)


def _version_or_none(path: str) -> str | None:
    name = path.removeprefix("/static/")
    if "/" in name or not (STATIC_DIR / name).is_file():
        return None
    return _version(name)
