"""The audit trail: who did what when, for the acts an organisation answers for.

Sessions created, started, ended, shared; summaries published, downloaded, purged; accounts created,
changed, disabled, removed; logins and failed logins. A row names the staff account (or "system"
for the retention purge, "cli" for the command line) and the session code or username it concerns,
never a participant. It is written in the transaction of the act it records where there is one,
outlives the raw-data purge, and is deleted after its own retention (SPARRING_AUDIT_RETENTION_DAYS).
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session as Db
from sqlmodel import col, delete, select

from app.config import Settings
from app.models import AuditEvent, User, utcnow
from app.writer import Outcome, Writer, run_alone

SYSTEM, CLI = "system", "cli"
ACTIONS = (
    "session.created",
    "session.started",
    "session.ended",
    "session.shared",
    "session.unshared",
    "summary.published",
    "summary.readers",
    "summary.downloaded",
    "summary.purged",
    "account.created",
    "account.role",
    "account.password",
    "account.disabled",
    "account.enabled",
    "account.removed",
    "login.succeeded",
    "login.failed",
)
"""Every action recorded (the admin page words each from `audit.action.<name>`)."""

log = logging.getLogger(__name__)


def add(db: Db, actor: User | str, action: str, target: str = "", detail: str = "") -> None:
    """Add a row to the caller's transaction (committed with the act it records)."""
    assert action in ACTIONS, action
    name = actor if isinstance(actor, str) else actor.username
    db.add(AuditEvent(actor=name[:80], action=action, target=target[:120], detail=detail[:300]))


def entry(
    db: Db, actor: User | str, action: str, target: str = "", detail: str = ""
) -> Outcome[None]:
    """A command: only the trace of an act that changes nothing itself (a download, a failed
    login), for the writer like every other write."""
    add(db, actor, action, target, detail)
    return Outcome(None)


def recent(db: Db, limit: int | None = 500) -> Sequence[AuditEvent]:
    query = select(AuditEvent).order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    return db.exec(query.limit(limit) if limit else query).all()


CSV_HEADER = ("time_utc", "actor", "action", "target", "detail")


def to_csv(events: Sequence[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for e in events:
        writer.writerow((_utc(e.at), *(_safe(v) for v in (e.actor, e.action, e.target, e.detail))))
    return out.getvalue()


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _safe(text: str) -> str:
    """No cell starts like a formula when the CSV is opened in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def purge_old(db: Db, settings: Settings, now: datetime | None = None) -> Outcome[None]:
    """A command: rows older than the audit's own retention go (0 days: kept for good)."""
    if settings.audit_retention_days > 0:
        cutoff = (now or utcnow()) - timedelta(days=settings.audit_retention_days)
        db.exec(delete(AuditEvent).where(col(AuditEvent.at) < cutoff))
    return Outcome(None)


async def retention_loop(settings: Settings, writer: Writer) -> None:
    """Delete audit rows past their retention while the server runs (a command for the writer)."""
    while True:
        await asyncio.sleep(settings.retention_check_seconds)
        try:
            await writer.run(purge_old, settings)
        except Exception:
            log.exception("audit retention failed; trying again later")


def purge_at_start(engine: Engine, settings: Settings) -> None:
    run_alone(engine, purge_old, settings)
