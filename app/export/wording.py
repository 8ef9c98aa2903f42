"""A frozen summary in its reader's language: the words the summary froze at the end in Danish
(duty names, "Gruppe 1", the scrubbing marker) are worded again when it is shown or downloaded.

The stored summary is not changed: what it holds stays the record, these only render it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app import i18n
from app.domain.anonymise import MARKER
from app.export.summary import Summary

if TYPE_CHECKING:
    from app.library import Duty

DUTIES: dict[str, Duty] = {}
"""The seed's duties by slug, filled when the app starts (app.web.configure)."""

_GROUP = re.compile(r"^Gruppe (\d+)$")  # the label app.export.build freezes


def duty_name(slug: str, frozen: str) -> str:
    """A duty's name in the reader's language (the frozen name for a duty the seed lacks)."""
    duty = DUTIES.get(slug)
    return i18n.localised(duty, "name") if duty is not None else frozen


def text(frozen: str) -> str:
    """A scrubbed text with the marker of what was removed in the reader's language."""
    return frozen.replace(MARKER, i18n.gettext("[fjernet]")) if MARKER in frozen else frozen


def group(label: str) -> str:
    found = _GROUP.match(label)
    return i18n.gettext("Gruppe %(n)s", n=found.group(1)) if found else label


def pct(value: float | None) -> str:
    """A 0-1 share as a percentage in the reader's style ('–' when unknown or withheld)."""
    # Rounded to whole percent first, as it always was (Babel would round 29.5 % to even).
    return "–" if value is None else i18n.percent(round(value * 100) / 100)


def answers_heading(summary: Summary) -> str:
    """Kollegasparring's groups give advice; the other formats' groups answer."""
    if summary.format == "kollegasparring":
        return i18n.gettext("Gruppernes råd")
    return i18n.gettext("Gruppernes svar")
