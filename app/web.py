"""Jinja2 environment shared by pages, htmx responses and websocket pushes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import select_autoescape

from app import i18n
from app.assets import static_url
from app.domain import casework, grouping
from app.domain.phases import Format
from app.models import utcnow

TEMPLATES_DIR = Path(__file__).parent / "templates"


def seconds_left(deadline: datetime | None) -> int | None:
    """Seconds to a deadline as the server sees it; pages count down from this (no clock skew)."""
    if deadline is None:
        return None
    return max(0, round((deadline - utcnow()).total_seconds()))


def mmss(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.autoescape = select_autoescape(["html", "xml", "svg"])  # charts are .svg templates
templates.env.globals.update(
    seconds_left=seconds_left,
    static_url=static_url,
    mmss=mmss,
    FORMAT_LABELS=i18n.Labels("format.", Format),
    PHASE_LABEL=i18n.phase_name,
    t=i18n.t,
    plural=i18n.plural,
    language=i18n.current.get,
    day=lambda value, with_time=False: i18n.day(i18n.current.get(), value, with_time),
    number=lambda value, decimals=0: i18n.number(i18n.current.get(), value, decimals),
    DUTIES={},  # slug -> library.Duty, set when the app loads the library
    THRESHOLD=3,  # settings.anonymity_threshold, set when the app starts
    GROUP_MODES=i18n.Labels("mode.", grouping.Mode),
    GROUP_MODE_HELP=i18n.Labels("mode_help.", grouping.Mode),
    SHARE_LABELS=i18n.Labels("casework.share.", casework.Share),
    ORIGIN_LABELS=i18n.Labels("casework.origin.", casework.Origin),
)
templates.env.filters["loc"] = i18n.localised
templates.env.filters["loc_list"] = i18n.localised_list
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def render(name: str, **context: Any) -> str:
    """One template rendered to a string (a fragment for htmx or a websocket push)."""
    return templates.get_template(name).render(**context)
