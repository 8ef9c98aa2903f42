"""The one Jinja2 environment shared by pages, htmx responses, websocket pushes and downloads.

Every global and filter the templates use is set here, so no template depends on which module
happened to be imported first; `configure` adds what is only known at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, Template, select_autoescape
from markupsafe import Markup

from app import export, i18n
from app.assets import static_url
from app.export import wording
from app.export.charts import case_chart_svg
from app.i18n import named
from app.i18n.pretranslate import LANGUAGE, Pretranslate
from app.models import utcnow

if TYPE_CHECKING:
    from app.library import Duty
    from app.models import Participant
    from app.room import Room

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


class _Environment(Environment):
    """Templates read the environment's globals directly. Jinja lays a ChainMap over them per
    template, and every render copies it into a dict key by key: 16 µs of a 23 µs flash, a fifth
    of a thousand phones' phase change. No template has globals of its own here."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return super().make_globals(d) if d else self.globals

    def get_template(
        self,
        name: str | Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        """The template compiled for the page's language (app/i18n/pretranslate.py)."""
        if getattr(self, LANGUAGE, None) is not None:  # a language's own: its includes too
            return super().get_template(name, parent, globals)
        return self.in_language(i18n.reading()).get_template(name, parent, globals)

    def in_language(self, language: str) -> Environment:
        """This environment for one known language (i18n.LANGUAGES), made when first asked."""
        overlays: dict[str, Environment] = self.__dict__.setdefault("_languages", {})
        if language not in overlays:
            overlay = self.overlay(cache_size=400)  # its own cache: compiled for its language
            setattr(overlay, LANGUAGE, language)
            overlays[language] = overlay
        return overlays[language]


templates = Jinja2Templates(env=_Environment(loader=FileSystemLoader(TEMPLATES_DIR)))
templates.env.autoescape = select_autoescape(["html", "xml", "svg"])  # charts are .svg templates
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
# Templates ship with the app and a new version restarts the server: no stat() of every template
# file on every render (a phase change renders a thousand phones' views).
templates.env.auto_reload = False
templates.env.globals.update(
    seconds_left=seconds_left,
    static_url=static_url,
    mmss=mmss,
    # Words: the catalogue and the labels of the domain's names.
    **i18n.TEMPLATE_GETTEXT,
    percent=i18n.percent,
    language=i18n.current.get,
    other_language=i18n.other_language,
    day=lambda value, with_time=False: i18n.day(i18n.current.get(), value, with_time),
    number=lambda value, decimals=0: i18n.number(i18n.current.get(), value, decimals),
    PHASE_LABEL=i18n.phase_name,
    FORMAT_LABELS=i18n.Labels(named.FORMATS),
    STATUS_LABELS=i18n.Labels(named.STATUSES, context=i18n.STATUS_CONTEXT),
    GROUP_MODES=i18n.Labels(named.MODES),
    GROUP_MODE_HELP=i18n.Labels(named.MODE_HELP),
    SHARE_LABELS=i18n.Labels(named.SHARES),
    ORIGIN_LABELS=i18n.Labels(named.ORIGINS),
    ROLE_LABELS=i18n.Labels(named.ROLES),
    ACTION_LABELS=i18n.Labels(named.AUDIT_ACTIONS),
    # A frozen summary in its reader's language (app/export/wording.py) and its downloads.
    case_chart_svg=case_chart_svg,
    pct=wording.pct,
    shown=wording.text,
    duty_name=wording.duty_name,
    group_label=wording.group,
    answers_heading=wording.answers_heading,
    SUMMARY_FORMATS=export.FORMATS,
    # Known at start-up (configure): the library's duties and the anonymity threshold.
    DUTIES=wording.DUTIES,
    THRESHOLD=3,
)
templates.env.add_extension("jinja2.ext.i18n")  # {% trans %}: the callables above, newstyle
templates.env.add_extension(Pretranslate)
templates.env.newstyle_gettext = True  # type: ignore[attr-defined]
templates.env.policies["ext.i18n.trimmed"] = True  # a trans block's line breaks are not words
templates.env.filters["loc"] = i18n.localised
templates.env.filters["loc_list"] = i18n.localised_list


def configure(duties: Mapping[str, Duty], threshold: int) -> None:
    """What the templates know only once the app starts: the seed's duties, the anonymity threshold."""
    wording.DUTIES.clear()
    wording.DUTIES.update(duties)  # the same dict the templates' DUTIES is
    _duty_select.cache_clear()
    templates.env.globals["THRESHOLD"] = threshold


def duty_select(duty_id: str, question: str, chosen: str) -> Markup:
    """The list of the seven duties with one chosen, rendered once per language, form and choice:
    every vote's and group answer's form holds one (a quarter of a reply's render, a thousand
    replies in a crowd's burst)."""
    return _duty_select(i18n.reading(), duty_id, question, chosen)


@lru_cache(maxsize=256)
def _duty_select(_language: str, duty_id: str, question: str, chosen: str) -> Markup:
    """(The language is part of the key: render reads it from the context.)"""
    return Markup(
        render("partials/duty_select.html", duty_id=duty_id, duty_question=question, chosen=chosen)
    )


def option_choices(
    options: Sequence[tuple[str, str]], chosen: str | None, required: bool = False
) -> Markup:
    """A case's options as radio buttons with one checked, rendered once per case, choice and
    form: the vote's and the group answer's forms hold them, and the loop over the options' long
    texts was a third of such a reply's render, a thousand replies in a crowd's burst."""
    return _option_choices(tuple(options), chosen or "", required)


@lru_cache(maxsize=256)
def _option_choices(options: tuple[tuple[str, str], ...], chosen: str, required: bool) -> Markup:
    return Markup(
        render("partials/option_choices.html", options=options, chosen=chosen, required=required)
    )


_COMPILED: dict[tuple[str, str], Template] = {}


def render(name: str, **context: Any) -> str:
    """One template rendered to a string (a fragment for htmx or a websocket push). The compiled
    template is kept per language: Jinja's own look-up (a weak reference and an LRU per call)
    was a tenth of a phone's reply, and a reply renders three."""
    return compiled(name).render(**context)


def compiled(name: str) -> Template:
    """Template `name` compiled for the language being read (kept: see render)."""
    key = (i18n.reading(), name)
    template = _COMPILED.get(key)
    if template is None:
        template = _COMPILED[key] = templates.get_template(name)
    return template


# What a live room renders: the phones' and the projector's pages and the parts they share.
LIVE = ("participant/", "projector/", "partials/", "base.html")


def compile_live() -> None:
    """Every template a live room renders, compiled now in each language (includes too): the first
    crowd after a start compiled the conflict's box in its batch, with a thousand phones waiting."""
    names = templates.env.list_templates(filter_func=lambda name: name.startswith(LIVE))
    for language in i18n.LANGUAGES:
        token = i18n.current.set(language)
        try:
            for name in names:
                compiled(name)
        finally:
            i18n.current.reset(token)


def once(room: Room, key: tuple[Any, ...], name: str, **context: Any) -> str:
    """Template `name` rendered from `room` once per `key` (in room.rendered, which lives as long
    as the room: a new event brings a new room)."""
    html = room.rendered.get(key)
    if html is None:
        html = room.rendered[key] = render(name, room=room, **context)
    return html


def shared(room: Room, name: str, **context: Any) -> Markup:
    """A part of a phone's view that is the same on every phone (the case text, the results after
    the reveal with every group's answer), rendered once per room, language and `context` instead
    of once per phone: a thousand phones each rendering 250 answers took seconds. The part sees
    `room` and `case` (the current one) and is autoescaped like any template."""
    key = (name, i18n.current.get(), *sorted(context.items()))
    return Markup(once(room, key, name, case=room.current, **context))


def for_group(room: Room, person: Participant, name: str) -> Markup:
    """A part of a phone's view that is the same on every phone of the person's group (its answer
    and the answer's form: nothing of the person but their group), rendered once per group and
    language: the discussion's stage on a thousand phones rendered both a thousand times."""
    key = ("group", name, person.group_id, i18n.current.get())
    return Markup(once(room, key, name, person=person))


templates.env.globals["shared"] = shared
templates.env.globals["duty_select"] = duty_select
templates.env.globals["option_choices"] = option_choices
templates.env.globals["for_group"] = for_group
