"""Words in the reader's language: gettext catalogues (app/locale), Danish first.

The messages in the code and the templates are the Danish text itself (the source language);
app/locale/en/LC_MESSAGES/messages.po holds their English. Every message is a %-format string
(placeholders are named, `%(count)s`; a literal percent sign is `%%`), as in Jinja's i18n
extension. Numbers, percentages and dates are Babel's, in the reader's locale.
How a translator works: README.md, "Translations".
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, NamedTuple

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import escape
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from app.domain import RuleError
from app.domain.grouping import Mode
from app.domain.phases import Format, Phase, Status
from app.i18n.named import MODES, N_, NP_, PHASES, REFUSALS, STATUSES

__all__ = ["NP_", "N_"]

LANGUAGES = ("da", "en")
DEFAULT = "da"
COOKIE = "sparring_lang"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"
STATUS_CONTEXT = "session status"  # "Afsluttet" is a closed case and an ended session


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """One language's catalogue, compiled from its .po when first asked (no build step; the .po
    file is the only copy). Danish is the source language: its messages are the text."""
    if lang == DEFAULT:
        return _gettext.NullTranslations()
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


current: ContextVar[str] = ContextVar("language", default=DEFAULT)
"""The language of the page being rendered: set per request and per websocket by Language below."""


def reading() -> str:
    """The language being rendered, a known one (an unknown falls back to Danish)."""
    lang = current.get()
    return lang if lang in LANGUAGES else DEFAULT


def _now() -> _gettext.NullTranslations:
    return translations(reading())


def gettext(message: str, /, **params: Any) -> str:
    """`message` in the current language, its %(name)s placeholders filled in."""
    return _now().gettext(message) % params


def ngettext(singular: str, plural: str, n: int | str, /, **params: Any) -> str:
    """The singular or plural form for `n` in the current language; %(num)s is n."""
    params.setdefault("num", n)
    return _now().ngettext(singular, plural, _count(n)) % params


def _count(n: int | str) -> int:
    """A count for the plural rule; a summary's masked count ("<3") reads as several."""
    shown = str(n)
    return int(shown) if shown.isdigit() else 2


def pgettext(context: str, message: str, /, **params: Any) -> str:
    """gettext for a message whose Danish means two things (`context` tells them apart)."""
    return _now().pgettext(context, message) % params


# The templates' gettext (Jinja's i18n extension, newstyle): the translation is escaped like any
# other text and the placeholders' values are escaped as they are filled in.


def _safe(ctx: Context, text: str, params: dict[str, Any]) -> str:
    if ctx.eval_ctx.autoescape:
        return escape(text) % params  # Markup % escapes each value
    return text % params


@pass_context
def template_gettext(ctx: Context, message: str, /, **params: Any) -> str:
    return _safe(ctx, _now().gettext(message), params)


@pass_context
def template_ngettext(
    ctx: Context, singular: str, plural: str, n: int | str, /, **params: Any
) -> str:
    params.setdefault("num", n)
    return _safe(ctx, _now().ngettext(singular, plural, _count(n)), params)


@pass_context
def template_pgettext(ctx: Context, context: str, message: str, /, **params: Any) -> str:
    return _safe(ctx, _now().pgettext(context, message), params)


TEMPLATE_GETTEXT = {
    "_": template_gettext,
    "gettext": template_gettext,
    "ngettext": template_ngettext,
    "pgettext": template_pgettext,
}
"""The callables {% trans %} and _() use (app/web.py installs them)."""


class Other(NamedTuple):
    code: str
    name: str


NAMES = {"da": "Dansk", "en": "English"}
"""Each language named in itself (the switch offers the other one; not a translation)."""


def other_language() -> Other:
    """The language the page's switch offers: the one not being read."""
    code = next(lang for lang in LANGUAGES if lang != current.get())
    return Other(code, NAMES[code])


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


# Numbers and dates: Babel's, in Danish and British English (25 Nov 2026, not Nov 25).
LOCALES = {"da": "da_DK", "en": "en_GB"}
PERCENT = {"da": "#,##0 %"}  # a plain space before the sign, as the exports have always had


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES[DEFAULT])


def number(lang: str, value: float, decimals: int = 0) -> str:
    """1.234,5 in Danish, 1,234.5 in English."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    # Rounded by Python first (the float as it is: 2.45 is a hair above, so 2.5), as it always was;
    # Babel would round the decimal 2.45 to even.
    return format_decimal(round(value, decimals), format=pattern, locale=_locale(lang))


def percent(value: float) -> str:
    """A 0-1 share as a percentage in the current language: 50 % in Danish, 50% in English."""
    lang = current.get()
    return format_percent(value, format=PERCENT.get(lang), locale=_locale(lang))


def day(lang: str, value: date | str | None, with_time: bool = False) -> str:
    """05.03.2026 (09:07) in Danish, 5 Mar 2026 (09:07) in English; summaries hold ISO dates."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    shown = format_date(value, "short" if lang == "da" else "medium", locale=_locale(lang))
    if with_time and isinstance(value, datetime):
        shown += " " + format_time(value, "HH:mm", locale=_locale(lang))
    return shown


def day_month(lang: str, value: date | str) -> str:
    """25.11 in Danish, 25 Nov in English (a chart's axis, where the year is known)."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, "dd.MM" if lang == "da" else "d MMM", locale=_locale(lang))


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
    """A fixed set of names (phases, formats, statuses) and their messages (app/i18n/named.py),
    read in the current language."""

    def __init__(self, messages: Mapping[str, str], context: str | None = None) -> None:
        self.messages = messages
        self.context = context

    def __getitem__(self, name: str) -> str:
        message = self.messages[name]
        return pgettext(self.context, message) if self.context else gettext(message)

    def __iter__(self) -> Iterator[str]:
        return iter(self.messages)

    def __len__(self) -> int:
        return len(self.messages)


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
    return gettext(PHASES["advice" if advice else str(phase)])


def status_name(status: str) -> str:
    return pgettext(STATUS_CONTEXT, STATUSES[str(status)])


def refusal(exc: RuleError) -> str:
    """A refusal from the rules in the current language, its facts named in words."""
    facts = {name: _fact(value) for name, value in exc.params.items()}
    return gettext(REFUSALS[exc.key], **facts)


def _fact(value: object) -> str:
    if isinstance(value, Phase):
        return gettext(PHASES[value])
    if isinstance(value, Status):
        return status_name(value)
    if isinstance(value, Mode):
        return gettext(MODES[value])
    if value is None:
        return gettext(REFUSALS["nothing"])
    if isinstance(value, list | tuple):
        return ", ".join(_fact(item) for item in value)
    return str(value)
