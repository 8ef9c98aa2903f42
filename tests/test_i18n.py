"""The catalogue: both languages hold the same keys, templates hold no literal text, people choose."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from app import i18n
from app.domain import phases

TEMPLATES = Path(__file__).resolve().parents[1] / "app" / "templates"
# Jinja tags, comments and HTML tags (which may hold Jinja); what lies between them is page text.
TOKEN = re.compile(
    r"({{.*?}}|{%.*?%}|{#.*?#}|<!--.*?-->|<[a-zA-Z/!](?:{{.*?}}|{%.*?%}|[^>])*>)", re.S
)
SHOWN_ATTRS = re.compile(r'\b(placeholder|aria-label|title|alt|hx-confirm)="([^"]*)"')
LETTER = re.compile(r"[^\W\d_]")
KEY_USE = re.compile(r"""\bt\(\s*["']([\w.]+)["']""")


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
    assert i18n.text("en", "phase.vote") != i18n.text("da", "phase.vote")


def test_danish_labels_match_the_domain_words() -> None:
    """The domain's refusals name phases in Danish; the pages must use the same words."""
    for phase, label in phases.PHASE_LABELS_DA.items():
        assert i18n.text("da", f"phase.{phase}") == label
    for phase, prompt in phases.STEP_PROMPTS_DA.items():
        assert i18n.text("da", f"step.{phase}") == prompt
    for fmt, label in phases.FORMAT_LABELS_DA.items():
        assert i18n.text("da", f"format.{fmt}") == label
