"""Logging in with the organisation's account (OpenID Connect; the rules are in app/sso.py).

/sso/login sends the browser to the provider; /sso/callback is the redirect URL registered there:
Authlib checks state, PKCE, the ID token's signature, issuer, audience, expiry and nonce, and only
then does app.sso find or make the account. /sso/logout ends the provider's session too, where it
publishes an end_session_endpoint (the Sparring login has ended before)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import audit, i18n, logins, sso
from app.commands import accounts
from app.config import Settings
from app.deps import WriterDep, public_base
from app.domain import RuleError
from app.routers import signin
from app.web import templates

if TYPE_CHECKING:  # Authlib itself is imported only where the login is set up (app.sso)
    from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

log = logging.getLogger(__name__)
router = APIRouter(prefix="/sso", tags=["sso"])
HOMES = {"facilitator": "/facilitator", "reviewer": "/review", "admin": "/admin"}
NEXT, ID_TOKEN, LOGOUT_HINT = "sso_next", "sso_id_token", "sso_logout_hint"


def _client(request: Request) -> StarletteOAuth2App:
    oauth: OAuth | None = request.app.state.oauth
    if oauth is None:
        raise HTTPException(404)
    client: StarletteOAuth2App = getattr(oauth, sso.CLIENT)
    return client


def _base(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return public_base(settings, str(request.base_url)).rstrip("/")


def refused(request: Request, message: str, status: int) -> HTMLResponse:
    context = {"message": message}
    return templates.TemplateResponse(request, "sso/refused.html", context, status_code=status)


@router.get("/login", response_model=None)
async def login(request: Request, role: str = "facilitator", next: str = "") -> Response:
    client = _client(request)
    request.session[NEXT] = signin.local(next, HOMES.get(role, "/facilitator"))
    try:
        response: Response = await client.authorize_redirect(
            request, f"{_base(request)}/sso/callback"
        )
        return response
    except Exception:  # the provider is down or its discovery document is wrong
        log.exception("OpenID provider unreachable")
        return refused(
            request,
            i18n.gettext(
                "Organisationens login svarer ikke lige nu. Prøv igen om lidt, eller kontakt IT."
            ),
            502,
        )


@router.get("/callback", response_model=None)
async def callback(request: Request, writer: WriterDep) -> Response:
    client = _client(request)
    settings: Settings = request.app.state.settings
    try:
        token = await client.authorize_access_token(
            request, claims_options=sso.claims_options(settings)
        )
        claims = dict(token["userinfo"])
    except Exception as exc:  # wrong state, a bad or expired ID token, a failed exchange: refused
        log.warning("organisation login refused: %s", exc)
        await writer.run(audit.entry, "", "login.failed", "", "sso token")
        return refused(
            request,
            i18n.gettext(
                "Login med organisationens konto blev afvist: svaret fra identitetsudbyderen kunne ikke godkendes (ugyldigt, udløbet eller ændret). Prøv igen."
            ),
            401,
        )
    next_page = request.session.get(NEXT)
    old = request.session.get(logins.TOKEN)
    outcome = await writer.run(
        accounts.sso_log_in,
        claims,
        settings,
        old if isinstance(old, str) else None,
        logins.now(request),
    )
    if isinstance(outcome, RuleError):
        return refused(request, i18n.refusal(outcome), 403)
    login, role = outcome
    signin.remember(request, login)
    request.session[ID_TOKEN] = token.get("id_token", "")  # the hint for the provider's logout
    home = HOMES.get(role, "/")
    wanted = next_page if isinstance(next_page, str) and next_page.startswith(home) else home
    return RedirectResponse(signin.local(wanted, home), status_code=303)


@router.get("/logout", response_model=None)
async def logout(request: Request) -> Response:
    """After the Sparring login has ended: the provider's end-session endpoint, if it has one."""
    hint = request.session.pop(LOGOUT_HINT, None)
    after = f"{_base(request)}/facilitator/login"
    oauth: OAuth | None = request.app.state.oauth
    if oauth is None or not isinstance(hint, str):
        return RedirectResponse("/facilitator/login", status_code=303)
    client = _client(request)
    try:
        metadata = await client.load_server_metadata()
        if not metadata.get("end_session_endpoint"):
            return RedirectResponse("/facilitator/login", status_code=303)
        result = await client.create_logout_url(
            post_logout_redirect_uri=after, id_token_hint=hint or None
        )
    except Exception:
        log.exception("OpenID provider's logout unreachable")
        return RedirectResponse("/facilitator/login", status_code=303)
    # A page that moves on by itself, not a redirect: the logout button is a form, and the
    # Content-Security-Policy (form-action 'self') stops a form's redirect to another site.
    context = {"provider_logout": result["url"]}
    return templates.TemplateResponse(request, "sso/logout.html", context)
