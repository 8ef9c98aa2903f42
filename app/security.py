"""Who may talk to the server from where: websocket origins, CSRF tokens, security headers."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class SecurityHeaders:
    """ASGI middleware: security headers on every response, and the CSRF cookie for every browser.

    Plain ASGI, not FastAPI's @app.middleware("http"): that one runs each request in a task of its
    own with two streams between, about a millisecond of CPU per request on this machine."""

    def __init__(self, app: ASGIApp, settings: Settings, docs_url: str | None) -> None:
        self.app = app
        self.docs_url = docs_url
        self.fixed = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        }
        if settings.cookie_secure:
            self.fixed["Strict-Transport-Security"] = "max-age=31536000"
        self.secure_cookie = settings.cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        token = connection.cookies.get(CSRF_COOKIE, "")
        fresh = len(token) < 32
        if fresh:
            token = secrets.token_urlsafe(32)
        connection.state.csrf_token = token  # the request's state: what the pages echo
        headers = dict(self.fixed)
        path = scope["path"]
        if path != self.docs_url:  # the API docs page is FastAPI's, from a CDN
            headers["Content-Security-Policy"] = content_security_policy(
                connection.headers.get("host", "")
            )
        if not path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"  # reasons and answers stay off phones' disks
        cookie = self._cookie(token) if fresh else None

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in headers.items():
                    out.setdefault(name, value)
                if cookie is not None:
                    out.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_secured)

    def _cookie(self, token: str) -> str:
        carrier = Response()  # Starlette's own cookie formatting
        carrier.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="lax", secure=self.secure_cookie
        )
        return carrier.headers["set-cookie"]
