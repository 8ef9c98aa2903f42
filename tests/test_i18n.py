"""The catalogues: Babel's extraction finds every message, en.po translates each, templates and
Python hold no words outside them, and people choose their language."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from app import i18n
from app.domain import phases
from app.domain.casework import Origin, Share
from app.domain.grouping import Mode
from app.domain.phases import Format, Phase, Status
from app.i18n import named
from app.web import templates as web

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
TEMPLATES = APP / "templates"
GETTEXT = {"_", "gettext", "ngettext", "pgettext"}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The messages as `scripts/translations` extracts them (same mapping, same keywords)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    mapping = str(ROOT / "babel.cfg")
    command = ["pybabel", "-q", "extract", "-F", mapping, "-k", "NP_:1c,2", "-k", "NN_:1,2"]
    CommandLineInterface().run([*command, "-o", str(pot), str(ROOT)])
    with pot.open("rb") as f:
        return read_po(f)


def _ids(catalog: Catalog) -> set[tuple[str | None, object]]:
    return {(m.context, m.id) for m in catalog if m.id}


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT])
def test_every_message_is_translated(extracted: Catalog, lang: str) -> None:
    """Run `scripts/translations update` after changing words, then translate what it marks."""
    with (APP / "locale" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        po = read_po(f, locale=lang)
    assert sorted(_ids(extracted) - _ids(po), key=str) == [], "missing: scripts/translations update"
    assert sorted(_ids(po) - _ids(extracted), key=str) == [], "unused: scripts/translations update"
    fuzzy = [m.id for m in po if m.id and m.fuzzy]
    assert fuzzy == [], "fuzzy: check the suggested translation and remove the fuzzy flag"
    empty = [m.id for m in po if m.id and not all(m.string if m.pluralizable else [m.string])]
    assert empty == [], "untranslated"
    wrong = [(m.id, [str(e) for e in m.check(po)]) for m in po if m.id and list(m.check(po))]
    assert wrong == [], "a translation's %(placeholders)s differ from the message's"


# Templates: every word comes through gettext. Outside {% trans %} blocks, the page's text and the
# attributes people read hold no letters, and a quoted string in a Jinja tag that reads as words
# is a gettext call's message.
SHOWN_ATTRS = re.compile(r'\b(placeholder|aria-label|title|alt|hx-confirm)="([^"]*)"')
LETTER = re.compile(r"[^\W\d_]")
WORDY = re.compile(r"[A-ZÆØÅ][a-zæøå]+|[æøåÆØÅ]| [a-zæøå]{2,}")
HOLE = "\x00"  # where a Jinja tag was: no letter


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".svg"))


def message(calls: list[bool], previous: tuple[str, str]) -> bool:
    """A string right inside a gettext call's parentheses, not a keyword's value: a message."""
    return bool(calls) and calls[-1] and previous[1] in ("(", ",")


def literal_text(source: str) -> list[str]:
    """Words a person would read that do not go through gettext."""
    source = re.sub(r"{% block body_class %}.*?{% endblock %}", "", source, flags=re.S)
    page, found = [], []
    trans = 0
    calls: list[bool] = []  # per open parenthesis: is it a gettext call's?
    previous = ("", "")
    for _, kind, value in web.env.lex(source):
        if kind == "data":
            page.append(HOLE if trans else value)
        elif kind == "name" and previous[0] == "block_begin" and value in ("trans", "endtrans"):
            trans += 1 if value == "trans" else -1
        elif kind == "operator" and value == "(":
            calls.append(previous[0] == "name" and previous[1] in GETTEXT)
        elif kind == "operator" and value == ")":
            calls.pop()
        elif kind == "string" and WORDY.search(value[1:-1]) and not message(calls, previous):
            found.append(value[1:-1])
        if kind not in ("data", "whitespace"):
            page.append(HOLE)
            previous = (kind, value)
    text = "".join(page)
    for part in re.split(r"(<[a-zA-Z/!][^>]*>)", re.sub(r"<!--.*?-->", "", text, flags=re.S)):
        if part.startswith("<"):
            found += [v for _, v in SHOWN_ATTRS.findall(part) if LETTER.search(v)]
        elif LETTER.search(part):
            found.append(part.replace(HOLE, " ").strip())
    return found


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_take_every_word_from_the_catalogue(path: Path) -> None:
    assert literal_text(path.read_text("utf-8")) == [], "wrap these in _() or {% trans %}"


def test_the_literal_text_check_finds_words() -> None:
    assert literal_text('<p title="Hej">Tak {{ _("x") }}</p>') == ["Hej", "Tak"]
    assert literal_text('<p class="a {% if x %}b{% endif %}">{{ _("Tak") }} · 3</p>') == []
    assert literal_text('{{ "Tilføjet" if x else _("Fjernet") }}') == ["Tilføjet"]
    assert literal_text('{% set kind = "vote" %}{{ _("Tak %(x)s", x="y") }}') == []
    assert literal_text("{% trans n=3 %}Tak for {{ n }}{% endtrans %}") == []
    assert literal_text('{{ ngettext("%(num)s gruppe", "%(num)s grupper", n) }}') == []
    assert literal_text("<input aria-label=\"{{ _('Søg') }}\">") == []


# Python: a string literal that reads as Danish prose is a message (extracted), or on purpose.
DANISH = re.compile(
    r"[æøå]|\b(ikke|og|er|skal|kan|må|der|den|det|du|din|dit|med|til|vælg|ukendt|findes|højst"
    r"|mindst|ingen|gruppen|sessionen|casen|siden|prøv|igen|ind)\b",
    re.I,
)
DANISH_ON_PURPOSE = {
    "domain/moderation.py": "the Danish abuse words it looks for",
    "domain/anonymise.py": "the Danish words that are also names, and the verbs of saying",
    "cli.py": "the operator's command line speaks Danish (#left: no per-person language there)",
    "simulate.py": "what the bot phones write",
    "submissions.py": "the discussion prompts a promoted dilemma gets, case content like the cases",
}


def danish_literals(source: str) -> list[str]:
    """String literals that read as Danish prose (docstrings and string statements are comments)."""
    tree = ast.parse(source)
    skip = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # an f-string reads as a whole, {...} as a blank
            skip.update(id(part) for part in node.values)
            shown = "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in node.values)
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        ):
            shown = node.value
        else:
            continue
        if " " in shown.strip() and DANISH.search(shown):
            found.append(shown)
    return found


def python_files() -> list[Path]:
    return sorted(
        p
        for p in APP.rglob("*.py")
        if "migrations" not in p.parts
        and not any(str(p.relative_to(APP)).startswith(allowed) for allowed in DANISH_ON_PURPOSE)
    )


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(APP)))
def test_python_words_are_messages(extracted: Catalog, path: Path) -> None:
    messages = {
        part for m in extracted if m.id for part in ([m.id] if isinstance(m.id, str) else m.id)
    }
    prose = [text for text in danish_literals(path.read_text("utf-8")) if text not in messages]
    assert prose == [], "wrap these in gettext() (or N_() where they are shown later)"


def test_the_python_check_finds_danish_prose() -> None:
    source = 'x = "Din stemme er gemt"\ny = f"Højst {n} tegn"\n"""Din kommentar."""\nz = "a b"\n'
    assert danish_literals(source) == ["Din stemme er gemt", "Højst {} tegn"]
    assert danish_literals('w = "Fanø"\nv = "SELECT 1 FROM x"\n') == []


RULE_KEY = re.compile(r"""\bRuleError\(\s*["']([\w.]+)["']""")


def test_every_refusal_and_domain_name_is_worded() -> None:
    """Refusals (RuleError's keys) and the domain's names are worded in app/i18n/named.py."""
    keys = {k for p in APP.rglob("*.py") for k in RULE_KEY.findall(p.read_text("utf-8"))}
    assert keys - set(named.REFUSALS) == set()
    assert set(Phase) <= set(named.PHASES)
    assert set(Status) == set(named.STATUSES)
    assert set(Format) == set(named.FORMATS)
    assert set(Mode) == set(named.MODES) == set(named.MODE_HELP)
    assert set(Share) == set(named.SHARES) and set(Origin) == set(named.ORIGINS)
    assert set(phases.STEPS_WITH_PROMPTS) == set(named.STEPS)
    assert set(phases.OWN_STEPS_WITH_PROMPTS) == set(named.OWN_STEPS)
    assert set(named.WARNINGS) == {"few_people", "too_small", "too_big"}


def test_a_person_choice_beats_the_browser() -> None:
    assert i18n.choose(None, None) == "da"
    assert i18n.choose(None, "en-GB,en;q=0.9,da;q=0.8") == "en"
    assert i18n.choose(None, "de-DE,da;q=0.5,en;q=0.4") == "da"
    assert i18n.choose(None, "fr, de;q=bad") == "da"
    assert i18n.choose("da", "en-US") == "da"
    assert i18n.choose("xx", "en-US") == "en"


def test_words_numbers_and_dates_in_each_language() -> None:
    assert i18n.number("da", 1234.5, 1) == "1.234,5"
    assert i18n.number("en", 1234.5, 1) == "1,234.5"
    moment = datetime(2026, 3, 5, 9, 7)
    assert i18n.day("da", moment) == "05.03.2026"
    assert i18n.day("da", moment, with_time=True) == "05.03.2026 09:07"
    assert i18n.day("en", moment) == "5 Mar 2026"
    assert i18n.day("da", "2026-11-30") == "30.11.2026"  # a summary's ISO date
    assert i18n.day_month("da", "2026-03-05") == "05.03"
    assert i18n.day_month("en", "2026-03-05") == "5 Mar"
    one, many = "%(num)s deltager", "%(num)s deltagere"
    for lang, words in {
        "da": ("1 deltager", "3 deltagere"),
        "en": ("1 participant", "3 participants"),
    }.items():
        token = i18n.current.set(lang)
        try:
            assert (i18n.ngettext(one, many, 1), i18n.ngettext(one, many, 3)) == words
            assert i18n.ngettext(one, many, "<3").endswith(words[1][2:])  # a masked count
            assert i18n.percent(0.5) == ("50 %" if lang == "da" else "50%")
            assert i18n.gettext(named.PHASES["vote"]) == ("Afstemning" if lang == "da" else "Vote")
        finally:
            i18n.current.reset(token)


def test_templates_compiled_per_language_read_as_the_calls_did() -> None:
    """Every plain _("...") in every template, compiled with its text already translated
    (app/i18n/pretranslate.py), renders exactly what the call renders, in each language; calls
    with placeholders and on an attribute stay calls."""
    calls = sorted(
        {
            call
            for path in TEMPLATES.rglob("*.html")
            for call in re.findall(r'\b_\("(?:[^"\\]|\\.)*"\)', path.read_text())
        }
    )
    assert len(calls) > 300  # the templates' words, not an empty comparison
    source = "\n".join(
        [
            *(f"<p>{{{{ {call} }}}}</p>" for call in calls),
            '{{ _("Gem") ~ " <b>" }}|{{ words._("Gem") }}|{{ _("%(n)s af 100%%", n="<3") }}|{{ _("Fuldt 100%%") }}',
        ]
    )
    words = {"_": lambda text: f"attribute {text}"}
    in_language = web.env.in_language  # type: ignore[attr-defined]
    for lang in i18n.LANGUAGES:
        token = i18n.current.set(lang)
        try:
            called = web.env.from_string(source).render(words=words)
            compiled = in_language(lang).from_string(source).render(words=words)
        finally:
            i18n.current.reset(token)
        assert compiled == called
        assert ("Save &lt;b&gt;" if lang == "en" else "Gem &lt;b&gt;") in compiled
        assert "attribute Gem|&lt;3 af 100%" in compiled
