"""Scrubbing free text before it enters a summary: CPR, e-mail, phone numbers and the session's aliases."""

from __future__ import annotations

import re
from collections.abc import Iterable

MARKER = "[fjernet]"

# CPR: ddmmyy-xxxx or ddmmyyxxxx, with a plausible day and month so amounts and case numbers stay.
# Edges: not part of a longer number ("12/16033", "1.250.000"), but sentence punctuation may follow.
_NOT_AFTER_NUMBER = r"(?<!\d)(?<!\d[/.,-])"
_NOT_BEFORE_NUMBER = r"(?!\d)(?![/.,-]\d)"
_CPR = re.compile(
    _NOT_AFTER_NUMBER + r"(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}-?\d{4}" + _NOT_BEFORE_NUMBER
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Danish phone: 8 digits, optionally +45/0045, written together or in pairs/fours with spaces.
_PHONE = re.compile(
    _NOT_AFTER_NUMBER + r"(?:(?:\+|00)45[ ]?)?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}" + _NOT_BEFORE_NUMBER
)


def scrub(text: str, aliases: Iterable[str] = ()) -> str:
    text = _EMAIL.sub(MARKER, text)
    text = _CPR.sub(MARKER, text)
    text = _PHONE.sub(MARKER, text)
    for alias in sorted({a.strip() for a in aliases if a.strip()}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(alias)}(?!\w)", MARKER, text, flags=re.IGNORECASE)
    return text
