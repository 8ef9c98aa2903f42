"""The catalogue: both languages hold the same keys, templates hold no literal text, people choose."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest

from app import i18n
from app.domain import phases
from app.domain.casework import Origin, Share
from app.domain.grouping import Mode
from app.domain.phases import Format, Phase, Status

TEMPLATES = Path(__file__).resolve().parents[1] / "app" / "templates"
# Jinja tags, comments and HTML tags (which may hold Jinja); what lies between them is page text.
TOKEN = re.compile(
    r"({{.*?}}|{%.*?%}|{#.*?#}|<!--.*?-->|<[a-zA-Z/!](?:{{.*?}}|{%.*?%}|[^>])*>)", re.S
)
SHOWN_ATTRS = re.compile(r'\b(placeholder|aria-label|title|alt|hx-confirm)="([^"]*)"')
LETTER = re.compile(r"[^\W\d_]")
KEY_USE = re.compile(r"""\bt\(\s*["']([\w.]+)["']""")
JINJA = re.compile(r"({{.*?}}|{%.*?%})", re.S)
# A quoted string inside a Jinja tag that is not a catalogue key: ("Tilføjet", ...) would be shown.
QUOTED = re.compile(r"""(?<!t\()(?<![\w.])(["'])((?:(?!\1).)*)\1""")
WORDY = re.compile(r"[A-ZÆØÅ][a-zæøå]+|[æøåÆØÅ]| [a-zæøå]{2,}")


def templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".svg"))


def literal_text(source: str) -> list[str]:
    """Words a person would read that do not come from the catalogue."""
    source = re.sub(r"{% block body_class %}.*?{% endblock %}", "", source, flags=re.S)
    found = []
    for part in TOKEN.split(source):
        if part.startswith("<") and not part.startswith("<!--"):
            found += [v for _, v in SHOWN_ATTRS.findall(part) if LETTER.search(TOKEN.sub("", v))]
        elif part and not TOKEN.fullmatch(part) and LETTER.search(part):
            found.append(part.strip())
    for tag in JINJA.findall(source):
        found += [text for _, text in QUOTED.findall(tag) if WORDY.search(text)]
    return found


def test_both_languages_have_the_same_keys() -> None:
    danish, english = set(i18n.catalogue("da")), set(i18n.catalogue("en"))
    assert danish - english == set(), "missing in en.yaml"
    assert english - danish == set(), "missing in da.yaml"
    for key in danish:
        params = set(re.findall(r"{(\w+)}", i18n.catalogue("da")[key]))
        assert params == set(re.findall(r"{(\w+)}", i18n.catalogue("en")[key])), key


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_take_every_word_from_the_catalogue(path: Path) -> None:
    source = path.read_text("utf-8")
    assert literal_text(source) == [], "put these in app/i18n/da.yaml and en.yaml"
    missing = [key for key in KEY_USE.findall(source) if key not in i18n.catalogue("da")]
    assert missing == [], "keys used but not in the catalogue"


def test_the_literal_text_check_finds_words() -> None:
    assert literal_text('<p title="Hej">Tak {{ t("x") }}</p>') == ["Hej", "Tak"]
    assert literal_text('<p class="a {% if x %}b{% endif %}">{{ t("x") }} · 3</p>') == []
    assert literal_text('{{ "Tilføjet" if x else t("a.b") }}') == ["Tilføjet"]
    assert literal_text('{% set kind = "vote" %}{{ t("a.b", x="y") }}') == []


def test_a_person_choice_beats_the_browser() -> None:
    assert i18n.choose(None, None) == "da"
    assert i18n.choose(None, "en-GB,en;q=0.9,da;q=0.8") == "en"
    assert i18n.choose(None, "de-DE,da;q=0.5,en;q=0.4") == "da"
    assert i18n.choose(None, "fr, de;q=bad") == "da"
    assert i18n.choose("da", "en-US") == "da"
    assert i18n.choose("xx", "en-US") == "en"


def test_danish_numbers_and_dates() -> None:
    assert i18n.number("da", 1234.5, 1) == "1.234,5"
    assert i18n.number("en", 1234.5, 1) == "1,234.5"
    moment = datetime(2026, 3, 5, 9, 7)
    assert i18n.day("da", moment) == "05.03.2026"
    assert i18n.day("da", moment, with_time=True) == "05.03.2026 09:07"
    assert i18n.day("en", moment) == "5 Mar 2026"
    assert i18n.day("da", "2026-11-30") == "30.11.2026"  # a summary's ISO date
    assert i18n.text("en", "phase.vote") != i18n.text("da", "phase.vote")


def test_every_domain_name_has_a_label_in_both_languages() -> None:
    """Phases, statuses, formats, grouping modes and size warnings are named through the catalogue."""
    names = [f"phase.{p}" for p in Phase] + [f"status.{s}" for s in Status]
    names += [f"format.{f}" for f in Format] + [f"mode.{m}" for m in Mode]
    names += [f"mode_help.{m}" for m in Mode] + [f"step.{p}" for p in phases.STEPS_WITH_PROMPTS]
    names += [f"step.own.{p}" for p in phases.OWN_STEPS_WITH_PROMPTS]
    names += [f"casework.share.{s}" for s in Share] + [f"casework.origin.{o}" for o in Origin]
    names += [f"warning.{w}" for w in ("few_people", "too_small", "too_big")]
    for lang in i18n.LANGUAGES:
        assert [n for n in names if n not in i18n.catalogue(lang)] == [], lang


# Python code: people's words come from the catalogue too. A string literal is flagged when it reads as
# Danish prose: a phrase (it has a space) with a Danish letter or one of Danish's commonest words.
DANISH = re.compile(
    r"[æøå]|\b(ikke|og|er|skal|kan|må|der|den|det|du|din|dit|med|til|vælg|ukendt|findes|højst"
    r"|mindst|ingen|gruppen|sessionen|casen|siden|prøv|igen|ind)\b",
    re.I,
)
APP = TEMPLATES.parent
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
def test_python_takes_every_word_from_the_catalogue(path: Path) -> None:
    source = path.read_text("utf-8")
    assert danish_literals(source) == [], "put these in app/i18n/da.yaml and en.yaml"
    for key in RULE_KEY.findall(source):
        assert f"refusal.{key}" in i18n.catalogue("da"), f"refusal.{key} is missing"
    missing = [key for key in PY_KEY_USE.findall(source) if key not in i18n.catalogue("da")]
    assert missing == [], "keys used but not in the catalogue"


RULE_KEY = re.compile(r"""\bRuleError\(\s*["']([\w.]+)["']""")
PY_KEY_USE = re.compile(r"""\b(?:i18n\.)?t\(\s*["']([\w.]+)["']""")


def test_the_python_check_finds_danish_prose() -> None:
    source = 'x = "Din stemme er gemt"\ny = f"Højst {n} tegn"\n"""Din kommentar."""\nz = "a b"\n'
    assert danish_literals(source) == ["Din stemme er gemt", "Højst {} tegn"]
    assert danish_literals('w = "Fanø"\nv = "SELECT 1 FROM x"\n') == []
