"""The string catalogue: one flat file per language (da.yaml, en.yaml), Danish first."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from app.domain import RuleError
from app.domain.grouping import Mode
from app.domain.phases import Format, Phase, Status

LANGUAGES = ("da", "en")
DEFAULT = "da"
COOKIE = "sparring_lang"
HERE = Path(__file__).parent
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@cache
def catalogue(lang: str) -> dict[str, str]:
    """{key: text} for one language, read once."""
    raw = yaml.safe_load((HERE / f"{lang}.yaml").read_text("utf-8"))
    return {str(key): str(value) for key, value in raw.items()}


def text(lang: str, key: str, /, **params: Any) -> str:
    """The text for `key` in `lang` (Danish for an unknown language), {name} parameters filled in."""
    words = catalogue(lang if lang in LANGUAGES else DEFAULT)[key]
    return words.format(**params) if params else words


def choose(picked: str | None, accept_language: str | None) -> str:
    """The person's own pick if they made one, else the first of their browser's languages we speak."""
    if picked in LANGUAGES:
        return picked
    ranked: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, weight = part.strip().partition(";q=")
        try:
            ranked.append((float(weight) if weight else 1.0, tag.split("-")[0].lower()))
        except ValueError:
            continue
    for _, tag in sorted(ranked, key=lambda item: -item[0]):
        if tag in LANGUAGES:
            return tag
    return DEFAULT


def number(lang: str, value: float, decimals: int = 0) -> str:
    """1.234,5 in Danish, 1,234.5 in English."""
    shown = f"{value:,.{decimals}f}"
    if lang == "da":
        shown = shown.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return shown


def day(lang: str, value: date | str | None, with_time: bool = False) -> str:
    """25.11.2026 (18:05) in Danish, 25 Nov 2026 (18:05) in English; summaries hold ISO dates."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if lang == "da":
        shown = f"{value:%d.%m.%Y}"
    else:
        shown = f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    if with_time and isinstance(value, datetime):
        shown += f" {value:%H:%M}"
    return shown


def day_month(lang: str, value: date | str) -> str:
    """25.11 in Danish, 25 Nov in English (a chart's axis, where the year is known)."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value:%d.%m}" if lang == "da" else f"{value.day} {MONTHS_EN[value.month - 1]}"


current: ContextVar[str] = ContextVar("language", default=DEFAULT)
"""The language of the page being rendered: set per request and per websocket by Language below."""


def t(key: str, /, **params: Any) -> str:
    """A catalogue text in the current language (the templates' `t`)."""
    return text(current.get(), key, **params)


def plural(key: str, count: int | str, /, **params: Any) -> str:
    """'1 gruppe', '3 grupper', '<3 deltagere': `key.one` for exactly one, else `key.other`;
    the count is the parameter {n}."""
    return t(f"{key}.one" if str(count) == "1" else f"{key}.other", n=count, **params)


class Language:
    """ASGI middleware: each request or websocket renders in its person's language."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            person = HTTPConnection(scope)
            current.set(choose(person.cookies.get(COOKIE), person.headers.get("accept-language")))
        await self.app(scope, receive, send)


class Labels(Mapping[str, str]):
    """A fixed set of names (phases, formats, statuses) whose labels come from the catalogue."""

    def __init__(self, prefix: str, names: Iterable[str]) -> None:
        self.prefix = prefix
        self.names = tuple(names)

    def __getitem__(self, name: str) -> str:
        if name not in self.names:
            raise KeyError(name)
        return t(f"{self.prefix}{name}")

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def localised(thing: object, field: str) -> str:
    """thing.<field>_en in English when it has one, else the Danish thing.<field>_da."""
    own = getattr(thing, f"{field}_{current.get()}", "")
    return str(own or getattr(thing, f"{field}_{DEFAULT}"))


def localised_list(thing: object, field: str) -> list[str]:
    """thing.<field>_en (a list, e.g. a duty's guidance) in English when it has one, else Danish."""
    own = getattr(thing, f"{field}_{current.get()}", None)
    return list(own or getattr(thing, f"{field}_{DEFAULT}"))


def phase_name(phase: str, fmt: str) -> str:
    """A phase's label; kollegasparring calls the group's answer its advice."""
    advice = fmt == Format.KOLLEGASPARRING and phase == Phase.GROUP_ANSWER
    return t("phase.advice" if advice else f"phase.{phase}")


def refusal(exc: RuleError) -> str:
    """A refusal from the rules in the current language: its key's text, its facts named in words."""
    return t(f"refusal.{exc.key}", **{name: _fact(value) for name, value in exc.params.items()})


def _fact(value: object) -> str:
    if isinstance(value, Phase):
        return t(f"phase.{value}")
    if isinstance(value, Status):
        return t(f"status.{value}")
    if isinstance(value, Mode):
        return t(f"mode.{value}")
    if value is None:
        return t("refusal.nothing")
    if isinstance(value, list | tuple):
        return ", ".join(_fact(item) for item in value)
    return str(value)
