"""A facilitator's new session, from the dashboard's form (and kept as a template if asked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session as Db

from app import audit, services
from app.commands.control import account
from app.domain import RuleError
from app.models import SessionTemplate, User
from app.writer import Outcome


@dataclass(frozen=True)
class Plan:
    """The new-session form as typed: timers in minutes per phase, areas one per line."""

    title: str
    slugs: list[str]
    group_size: int
    format: str
    minutes: Mapping[str, str] = field(default_factory=dict)
    areas: str = ""
    results_on_phones: bool = True
    group_cases: bool = False
    save_template: bool = False


def seconds(minutes: Mapping[str, str]) -> dict[str, int]:
    """Minutes as typed per phase (empty: no timer) to the plan's seconds."""
    timers = {}
    for phase, raw in minutes.items():
        if not raw.strip():
            continue
        if not raw.strip().isdigit():
            raise RuleError("timers.range")
        timers[phase] = int(raw) * 60
    return services.check_timers(timers)


def create(db: Db, who: User, plan: Plan) -> Outcome[str]:
    """The new session's code."""
    user = account(db, who.id)
    session = services.create_session(
        db,
        user,
        plan.title,
        plan.slugs,
        plan.group_size,
        plan.format,
        seconds(plan.minutes),
        areas=services.parse_areas(plan.areas),
        results_on_phones=plan.results_on_phones,
        group_cases=plan.group_cases,
    )
    audit.add(db, user, "session.created", session.code)
    if plan.save_template:
        db.add(
            SessionTemplate(
                name=session.title,
                format=session.format,
                group_size=session.group_size,
                slugs=plan.slugs,
                timers=dict(session.timers),
            )
        )
    return Outcome(session.code)
