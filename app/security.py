"""Who may talk to the server from where: websocket origins (more to come: headers, CSRF)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

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
