"""Who may talk to the server from where: websocket origins, CSRF tokens, security headers."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from app import i18n
from app.config import Settings


def allowed_hosts(settings: Settings, connection: HTTPConnection) -> set[str]:
    """host[:port] values a page of ours may come from: this request's Host, the public URL, and
    SPARRING_ALLOWED_HOSTS."""
    hosts = {connection.headers.get("host", "")}
    if settings.public_url:
        hosts.add(urlsplit(settings.public_url).netloc)
    hosts.update(h.strip() for h in settings.allowed_hosts.split(",") if h.strip())
    return hosts - {""}


def origin_allowed(settings: Settings, connection: HTTPConnection) -> bool:
    """A browser always names the page a websocket comes from; one from another site is refused
    (cross-site websocket hijacking). Scripts send no Origin and prove themselves by cookie."""
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc in allowed_hosts(settings, connection)


# CSRF: a random token in an HttpOnly cookie, echoed by every state-changing request (htmx in the
# X-CSRF-Token header, plain forms in a csrf_token field; both filled in by sparring.js from the page's
# meta tag). Another site can make a browser send the cookie, but cannot read it to echo it.
CSRF_COOKIE = "sparring_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def csrf_protect(connection: HTTPConnection) -> None:
    """An app-wide dependency: refuses a state-changing request without the page's token."""
    if connection.scope["type"] != "http" or connection.scope["method"] in SAFE_METHODS:
        return
    expected = connection.cookies.get(CSRF_COOKIE, "")
    sent = connection.headers.get(CSRF_HEADER, "")
    if not sent and isinstance(connection, Request):
        field = (await connection.form()).get(CSRF_FIELD, "")
        sent = field if isinstance(field, str) else ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(
            status_code=403,
            detail=i18n.gettext(
                "Siden var forældet (sikkerhedsnøglen manglede). Genindlæs siden, og prøv igen."
            ),
        )


def content_security_policy(host: str) -> str:
    # Only our own files; htmx runs with eval and script tags off and without its inline styles.
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' ws://{host} wss://{host}",  # older Safari: 'self' omits websockets
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def add_security(app: FastAPI, settings: Settings) -> None:
    """Security headers on every response, and the CSRF cookie for every browser."""

    @app.middleware("http")
    async def secure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        token = request.cookies.get(CSRF_COOKIE, "")
        fresh = len(token) < 32
        if fresh:
            token = secrets.token_urlsafe(32)
        request.state.csrf_token = token
        response = await call_next(request)
        headers = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        }
        if request.url.path != app.docs_url:  # the API docs page is FastAPI's, from a CDN
            headers["Content-Security-Policy"] = content_security_policy(
                request.headers.get("host", "")
            )
        if not request.url.path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"  # reasons and answers stay off phones' disks
        if settings.cookie_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if fresh:
            response.set_cookie(
                CSRF_COOKIE,
                token,
                httponly=True,
                samesite="lax",
                secure=settings.cookie_secure,
            )
        return response
