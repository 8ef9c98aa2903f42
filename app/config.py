"""Settings from the environment (prefix SPARRING_), with safe defaults for one machine."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPARRING_", env_file=".env", extra="ignore")

    data_dir: Path = ROOT / "sessions"
    database_url: str = ""  # empty: SQLite at data_dir/sparring.db
    redis_url: str = ""  # empty: events stay in this process (one worker)
    redis_prefix: str = "sparring"  # channel names start with it (several installations, one Redis)
    seed_dir: Path = ROOT / "seed"
    secret_key: str = ""  # empty: generated once and kept in data_dir/secret_key
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # what the QR code points at; empty: derived from the request
    allowed_hosts: str = ""  # more host[:port] pages may come from (comma separated), e.g. a proxy
    # Proxies (addresses or networks, comma separated) whose X-Forwarded-For/-Proto are believed;
    # empty: none, every client is who it connects from. Behind Caddy: Caddy's address.
    trusted_proxies: str = ""
    anonymity_threshold: int = 3
    retention_days: int = 30  # raw per-person rows of ended sessions are purged after this; 0: keep
    audit_retention_days: int = 730  # the audit trail's own retention (app.audit); 0: keep
    retention_check_seconds: float = 3600  # how often the running server looks for such sessions
    privacy_contact: str = ""  # who participants ask about their data (the join page's notice)
    cookie_secure: bool = False  # set true behind HTTPS
    login_idle_minutes: int = 120  # a facilitator's or reviewer's login ends after this long unused
    login_max_hours: int = (
        12  # ... and this long after logging in, however busy (a long meeting day)
    )
    login_recheck_seconds: float = 30.0  # an open control or projector page checks its login
    # Single sign-on with the organisation's OpenID Connect provider (app/sso.py); off while empty.
    oidc_issuer: str = ""  # e.g. https://login.microsoftonline.com/TENANT/v2.0
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid profile email"
    oidc_username_claim: str = "preferred_username"  # the account's name in Sparring
    oidc_role_claim: str = "groups"  # a claim holding a string or a list of strings
    oidc_admin_values: str = ""  # comma separated values of that claim that make an admin
    oidc_facilitator_values: str = ""  # ... a facilitator
    oidc_reviewer_values: str = ""  # ... a reviewer (read-only management)
    oidc_button: str = ""  # the login button's text; empty: "Log ind med organisationens konto"
    local_passwords: bool = True  # false: only the organisation's login (no password form)
    max_message_bytes: int = 64 * 1024
    presence_minutes: float = 5.0  # a phone not seen for this long no longer counts as present
    presence_beat_seconds: float = 60.0  # how often an open phone page is marked as seen
    tally_push_interval: float = 0.1  # per session: first tally push at once, then one per interval
    writer_process: bool = False  # phones' messages written by a process of their own
    # Refuse any database statement run on the event loop's thread (app.db.guard_loop): the tests
    # run with it on, so a handler that reads or writes on the loop fails there, not in a room.
    loop_guard: bool = False

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "sparring.db"

    @property
    def effective_database_url(self) -> str:
        url = self.database_url or f"sqlite:///{self.sqlite_path}"
        for bare in ("postgresql://", "postgres://"):  # the driver we ship: psycopg 3
            if url.startswith(bare):
                return "postgresql+psycopg://" + url.removeprefix(bare)
        return url

    def effective_secret_key(self) -> str:
        """The configured key, else one generated on first start and kept beside the database."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
