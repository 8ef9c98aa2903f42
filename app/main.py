"""create_app(): wiring only (settings, database, hub, routers, static files)."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session as Db
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import assets, audit, i18n, library, logins, presence, retention, room, sso, web
from app.config import Settings, get_settings
from app.db import SERVING, checkpoint_loop, make_engine
from app.deps import LoginRequired, PasswordChangeRequired
from app.domain import RuleError
from app.feed import Feeds
from app.hub import make_hub
from app.i18n import N_
from app.models import utcnow
from app.phone_writer import PhoneWriter
from app.ratelimit import limits
from app.routers import (
    account,
    admin,
    api,
    cases,
    facilitator,
    language,
    live,
    participant,
    projector,
    review,
    signin,
)
from app.routers import sso as sso_routes
from app.security import SecurityHeaders, csrf_protect
from app.web import templates
from app.writer import Writer

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"


def prepare(app: FastAPI, settings: Settings) -> None:
    """Before the first request: the schema, the case library, the purges that are due."""
    app.state.engine = make_engine(settings)
    app.state.feeds = Feeds(app.state.engine, app.state.hub, settings.tally_push_interval)
    app.state.writer = Writer(app.state.engine, app.state.hub)
    with Db(app.state.engine) as db:
        app.state.library, _ = library.seed_library(db, settings.seed_dir)
    retention.purge_at_start(app.state.engine, settings)  # raw rows past retention go now
    audit.purge_at_start(app.state.engine, settings)  # and audit rows past their own


@cache
def freeze_start_up() -> None:
    """Once per process, when it is ready to serve: what start-up made (modules, the app, the
    library) leaves the garbage collector's sight. A full collection walked all ~150,000 of those
    objects, ~80 ms with every phone's reply waiting, and a crowd's burst triggers several."""
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        SERVING.add(asyncio.get_running_loop())  # app.db.guard_loop watches this loop
        await asyncio.to_thread(prepare, app, settings)  # off the loop, like every db use
        web.configure(app.state.library.duty_map(), settings.anonymity_threshold)
        # The phones' messages: the same writer as every command, or one of their own whose
        # batches a writing process writes (SPARRING_WRITER_PROCESS, app.phone_writer).
        app.state.phone_writer, phones = app.state.writer, None
        if settings.writer_process:
            phones = PhoneWriter(
                settings, app.state.library.duty_map(), settings.anonymity_threshold
            )
            await phones.warm()
            app.state.phone_writer = Writer(app.state.engine, app.state.hub, elsewhere=phones)
        purging = asyncio.create_task(
            retention.retention_loop(app.state.engine, settings, app.state.writer)
        )
        audit_retention = asyncio.create_task(audit.retention_loop(settings, app.state.writer))
        checkpoints = asyncio.create_task(checkpoint_loop(app.state.engine))
        beats = asyncio.create_task(
            presence.beat_loop(app.state.feeds, app.state.writer, settings.presence_beat_seconds)
        )
        await asyncio.to_thread(web.compile_live)  # once per process: kept in app.web
        freeze_start_up()
        yield
        beats.cancel()
        purging.cancel()
        audit_retention.cancel()
        checkpoints.cancel()
        await app.state.writer.aclose()
        if phones is not None:
            await app.state.phone_writer.aclose()
            phones.close()
        await app.state.hub.aclose()
        app.state.engine.dispose()

    app = FastAPI(
        title="Sparring",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        dependencies=[Depends(csrf_protect)],
    )
    app.state.settings = settings
    room.PRESENCE["window"] = timedelta(minutes=settings.presence_minutes)
    app.state.hub = make_hub(settings.redis_url, settings.redis_prefix)
    app.state.oauth = sso.make_oauth(settings)  # None unless the organisation's login is set up
    app.state.clock = utcnow  # what logins and the limits measure time by; tests move it

    def seconds() -> float:
        return float(app.state.clock().timestamp())

    redis, prefix = settings.redis_url, settings.redis_prefix
    app.state.join_failures = limits(
        redis, prefix, "join", participant.JOIN_FAILURES_PER_MINUTE, 60, seconds
    )
    app.state.login_failures = limits(
        redis, prefix, "login", signin.LOGIN_FAILURES_PER_MINUTE, 60, seconds
    )
    app.add_middleware(logins.Logins)  # inside the session cookie's middleware: it reads the token
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.effective_secret_key(),
        session_cookie="sparring_f",
        max_age=settings.login_max_hours * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(i18n.Language)  # every page and socket renders in its person's language
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(facilitator.public)
    app.include_router(review.public)
    app.include_router(admin.public)
    for module in (
        participant,
        projector,
        facilitator,
        cases,
        review,
        admin,
        sso_routes,
        account,
        api,
        live,
        language,
    ):
        app.include_router(module.router)

    _add_error_pages(app)
    assets.add_assets(app)
    app.add_middleware(SecurityHeaders, settings=settings, docs_url=app.docs_url)
    if settings.trusted_proxies:
        # Outermost: every limit and log sees the phone's address, not the proxy's. Only these
        # addresses may say who the client is; anyone else's X-Forwarded-For is ignored.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app


HTTP_MESSAGES = {
    404: N_("Siden findes ikke."),
    405: N_("Den handling er ikke mulig her."),
    413: N_("Indholdet er for stort."),
}
"""Messages for the HTTP errors people can meet; others keep their (already worded) detail."""


def _error(request: Request, status: int, message: str) -> Response:
    """JSON for the API, a page in the person's language for people."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    return templates.TemplateResponse(
        request, "error.html", {"message": message}, status_code=status
    )


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": i18n.gettext("Log ind som facilitator")}, status_code=401
            )
        home = next(
            (h for h in ("/review", "/admin") if request.url.path.startswith(h)), "/facilitator"
        )
        query = {"next": request.url.path} | ({"ended": "1"} if exc.ended else {})
        login = f"{home}/login?{urlencode(query, safe='/')}"
        if request.headers.get("hx-request"):
            # htmx would follow a redirect and swap the login form into a fragment: the whole page goes
            return Response(status_code=204, headers={"HX-Redirect": login})
        return RedirectResponse(login, status_code=303)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def database_down(request: Request, exc: Exception) -> Response:
        # The database is restarting or unreachable: nothing was stored, and saying so is all we
        # can do; the pool replaces its dead connections once it answers again.
        log.warning("database unreachable: %s", exc)
        return _error(
            request,
            503,
            i18n.gettext("Databasen svarer ikke lige nu, så intet er gemt. Prøv igen om lidt."),
        )

    @app.exception_handler(PasswordChangeRequired)
    async def to_new_password(request: Request, exc: PasswordChangeRequired) -> Response:
        page = f"{signin.PASSWORD_PAGE}?{urlencode({'next': request.url.path}, safe='/')}"
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": page})
        return RedirectResponse(page, status_code=303)

    @app.exception_handler(RuleError)
    async def refused(request: Request, exc: RuleError) -> Response:
        return _error(request, exc.status, i18n.refusal(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 303 and exc.headers:
            return RedirectResponse(exc.headers["Location"], status_code=303)
        key = HTTP_MESSAGES.get(exc.status_code)
        return _error(request, exc.status_code, i18n.gettext(key) if key else str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return _error(
            request, 400, i18n.gettext("Ugyldige eller manglende felter: %(fields)s", fields=fields)
        )
