"""Single sign-on with the organisation's OpenID Connect provider (Entra ID, ADFS, Keycloak, ...).

Authlib does the protocol: discovery from the issuer URL, the Authorization Code flow with PKCE
(S256), state and nonce kept in the signed session cookie, and the ID token's signature (the
provider's published keys) and claims (issuer, audience = our client id, expiry, nonce) checked.
This module only decides who the verified person is in Sparring: the account linked to the
provider's subject, made on the first login, with the role the mapped claim gives; no role, no
account. The role follows the provider at every login.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlmodel import Session as Db
from sqlmodel import select

from app import audit
from app.config import Settings
from app.domain import RuleError
from app.models import User

if TYPE_CHECKING:
    from authlib.integrations.starlette_client import OAuth

CLIENT = "organisation"
ROLE_ORDER = ("admin", "facilitator", "reviewer")  # a person in several groups gets the first


def make_oauth(settings: Settings) -> OAuth | None:
    if not settings.oidc_enabled:
        return None
    # Imported here: Authlib adds a fifth to every process's start, and most installations
    # never set up the organisation's login.
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    issuer = settings.oidc_issuer.rstrip("/")
    oauth.register(
        CLIENT,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256"},
    )
    return oauth


def claims_options(settings: Settings) -> dict[str, Any]:
    """The issuer must be the configured one exactly (not only what discovery says)."""
    issuer = settings.oidc_issuer.rstrip("/")
    return {
        "iss": {"essential": True, "values": [issuer, f"{issuer}/"]},
        "aud": {"essential": True, "values": [settings.oidc_client_id]},
        "exp": {"essential": True},
    }


def _values(setting: str) -> set[str]:
    return {v.strip() for v in setting.split(",") if v.strip()}


def role_for(claims: Mapping[str, Any], settings: Settings) -> str | None:
    """The role the mapped claim gives (string or list of strings), or None."""
    raw = claims.get(settings.oidc_role_claim)
    held = {raw} if isinstance(raw, str) else set(raw) if isinstance(raw, list) else set()
    held = {v for v in held if isinstance(v, str)}
    mapping = {
        "admin": _values(settings.oidc_admin_values),
        "facilitator": _values(settings.oidc_facilitator_values),
        "reviewer": _values(settings.oidc_reviewer_values),
    }
    return next((role for role in ROLE_ORDER if held & mapping[role]), None)


def _candidates(claims: Mapping[str, Any], settings: Settings) -> Iterable[str]:
    for key in (settings.oidc_username_claim, "preferred_username", "email", "sub"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            yield re.sub(r"[^\w.@+-]", "-", value.strip())[:60]


class Refused(Exception):
    """Whoever the provider vouches for but Sparring will not let in: the refusal, and the name
    and reason for the audit trail."""

    def __init__(self, error: RuleError, name: str, reason: str) -> None:
        super().__init__(error.key)
        self.error, self.name, self.detail = error, name[:80], f"sso {reason}"


def account_for(db: Db, claims: Mapping[str, Any], settings: Settings) -> User:
    """The verified person's account: linked by issuer and subject, made at the first login; the
    role is set from the claims every time. Refuses (Refused) whoever has no role."""
    subject = f"{claims['iss']} {claims['sub']}"[:400]
    user = db.exec(select(User).where(User.oidc_subject == subject)).first()
    role = role_for(claims, settings)
    name = next(iter(_candidates(claims, settings)), "sso")
    if role is None:
        raise Refused(RuleError("sso.no_role", claim=settings.oidc_role_claim), name, "no role")
    if user is not None and user.disabled:
        raise Refused(RuleError("sso.disabled"), user.username, "disabled")
    if user is None:
        username = name
        if db.exec(select(User).where(User.username == username)).first() is not None:
            suffix = hashlib.sha256(subject.encode()).hexdigest()[:6]
            username = f"{name}-{suffix}"  # a local account has the name: never linked by it
        user = User(username=username, password_hash="", role=role, oidc_subject=subject)
        db.add(user)
        audit.add(db, "sso", "account.created", username, role)
    elif user.role != role:
        audit.add(db, "sso", "account.role", user.username, f"{user.role} -> {role}")
        user.role = role
        db.add(user)
    audit.add(db, user, "login.succeeded", user.username, "sso")
    db.flush()
    return user
