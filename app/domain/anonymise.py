"""Scrubbing free text before it enters a summary: CPR and phone numbers, e-mail addresses, the
session's aliases and common Danish names, in the notations people really type.

What is replaced by "[fjernet]":
- CPR numbers: ddmmyy-nnnn with or without the dash, with a space, dots or dashes in the date
  (dd.mm.yy-nnnn, dd-mm-yy nnnn, dd mm yy nnnn), or a four-digit year before a dash;
- Danish phone numbers: eight digits together, in pairs or fours with the same separator (space,
  dot or dash), with or without +45 / 0045 / (+45);
- e-mail addresses, also written with "(at)", "[at]", " at ", "snabel-a" and " dot " / "(punktum)";
- the session's aliases and the names in app/domain/danish_names.py, also in the genitive ("Mettes",
  "Lars'"), spelled with spaces or dots between the letters ("M e t t e"), or split by a line break.

A name or alias that is also an ordinary word (ORDINARY: "Bo", "Per", "Hans", "Leder", "Chef" ...)
counts as a name only where it is written as one: capitalised, and either inside a sentence, or at
its start followed by ":" or "," or a verb of saying ("Bo mener", "Per: ..."). So "min leder",
"bo hjemme", "Per person" and a title "Leder og medarbejder" stay. Every other name or alias counts in
any case ("kirsten", "KIRSTEN").

Kept: amounts, dates, times, case numbers (j.nr. 2024-123, 12/16033), § references, room numbers:
a number is only a CPR or phone number in the shapes above, not as part of a longer number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from app.domain.danish_names import FIRST_NAMES, MORE_FIRST_NAMES, SURNAMES

MARKER = "[fjernet]"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Names that are also words in ordinary Danish (checked against Debian's wdanish word list, then
# kept where the word is in common use), and words people take as an alias or a role. Lower case.
ORDINARY = _words(
    """
    aksel august bjørn bo bøje dam dan frank frede hans holm iver karl lind line lund mark max
    nissen per ravn rosa sine skov sten stig svend tage tim toft tom
    leder chef direktør borger kollega medarbejder sagsbehandler konsulent formand borgmester
    jurist rådgiver udvalg gruppe team deltager gæst elev praktikant mor far ven
    """
)
# After a name at the start of a sentence: it is said, meant or proposed by someone.
SAYING = _words(
    """
    mener mente siger sagde synes syntes foreslog foreslår skriver skrev spurgte spørger tænker
    tror troede vil ville har havde fortalte fortæller ringede
    """
)

# --- numbers and addresses ----------------------------------------------------------------

# Not part of a longer number ("12/16033", "1.250.000"), but sentence punctuation may follow.
_NOT_AFTER_NUMBER = r"(?<!\d)(?<!\d[/.,-])"
_NOT_BEFORE_NUMBER = r"(?!\d)(?![/.,-]\d)"
_DAY, _MONTH = r"(?:0[1-9]|[12]\d|3[01])", r"(?:0[1-9]|1[0-2])"
_DASH = r"[-‐‑–—]"  # the dashes phones and word processors type
_CPR = re.compile(
    _NOT_AFTER_NUMBER
    + "(?:"
    + rf"{_DAY}(?P<s>[.\- /]?){_MONTH}(?P=s)\d{{2}}(?:[ ]?{_DASH}[ ]?|[ .]?)\d{{4}}"
    + rf"|{_DAY}(?P<t>[.\-/]){_MONTH}(?P=t)(?:19|20)\d{{2}}[ ]?{_DASH}[ ]?\d{{4}}"
    + ")"
    + _NOT_BEFORE_NUMBER
)
_PREFIX = rf"(?:\(\+45\)|\+45|0045)[ ]?(?:{_DASH}[ ]?)?"
_PHONE = re.compile(
    _NOT_AFTER_NUMBER
    + "(?:"
    + rf"{_PREFIX}(?:\d{{2}}(?P<a>[ .\-]?)\d{{2}}(?P=a)\d{{2}}(?P=a)\d{{2}}|\d{{4}}[ .\-]\d{{4}})"
    + r"|\d{2}(?P<b>[ .\-]?)\d{2}(?P=b)\d{2}(?P=b)\d{2}"
    + r"|(?!(?:19|20)\d\d[ ](?:19|20)\d\d)\d{4}[ ]\d{4}"
    + ")"
    + _NOT_BEFORE_NUMBER
)
_AT = r"(?:\s*@\s*|\s*[(\[{]\s*(?:at|snabel-?a)\s*[)\]}]\s*|\s+(?:at|snabel-?a)\s+)"
_DOT = r"(?:\.|\s*[(\[{]\s*(?:dot|punktum|prik)\s*[)\]}]\s*|\s+(?:dot|punktum|prik)\s+)"
_TLD = r"(?:dk|com|org|net|eu|se|no|de|info|io|gov|nu|gl|fo|uk)"
_EMAIL = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # as written
    + rf"|[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLD}(?![\w])",  # written around a filter
    re.IGNORECASE,
)
# What every e-mail address above holds: an "@", or a dot and a top-level domain. Tried at every
# word, the pattern cost a quarter of a millisecond a reason; most texts hold neither.
_EMAIL_SIGN = re.compile(rf"@|{_DOT}{_TLD}(?![\w])", re.IGNORECASE)


# --- names -----------------------------------------------------------------------------------

_LINE_BREAK = r"-?[^\S\n]*\n[^\S\n]*"  # a line break inside the name, perhaps with a hyphen
_BREAK = rf"(?:{_LINE_BREAK})?"
_SPACED = r"[\s.\-_*·]+"  # between every letter: "M e t t e", "M.E.T.T.E"
_GENITIVE = r"(?:s|'s|’s|'|’)?"


def _forms(name: str) -> str:
    """The ways a name is typed: as is, split by a line break, or with its letters spaced."""
    if len(name) < 4 or not name.isalpha():
        return re.escape(name)
    letters = [re.escape(c) for c in name]
    return f"{_BREAK.join(letters)}|{_SPACED.join(letters)}"


def _pattern(names: Iterable[str], flags: int) -> re.Pattern[str] | None:
    forms = [_forms(n) for n in sorted(set(names), key=len, reverse=True)]
    if not forms:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(forms)}){_GENITIVE}(?!\w)", flags)


def _capitalised(name: str) -> list[str]:
    return [name[:1].upper() + name[1:].lower(), name.upper()]


def _split(names: Iterable[str]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """(any case, capitalised only) patterns: ordinary words count only when written as a name."""
    names = set(names)
    loose = [n for n in names if n.lower() not in ORDINARY]
    strict = [form for n in names if n.lower() in ORDINARY for form in _capitalised(n)]
    return _pattern(loose, re.IGNORECASE), _pattern(strict, 0)


SHIPPED = (*FIRST_NAMES, *SURNAMES, *MORE_FIRST_NAMES)


@lru_cache(maxsize=1)
def _list_patterns() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The shipped names, all of them: compiled once (0.3-0.5 s), for a text with spaced letters."""
    return _split(SHIPPED)


# The shipped names' pattern tries ~1,200 spellings at every word (~0.9 ms a reason). Each name is
# one word (tests/domain/test_anonymise.py), so outside a run of spaced letters it matches whole
# words only: a word, or words a line break splits, perhaps with a genitive "s". The pattern of
# just the names a text holds that way matches the same spans (the same spellings, same order).
_LONGEST = max(map(len, SHIPPED)) + 1  # with a genitive "s"
_WORD = re.compile(r"\w+")
_BROKEN = re.compile(_LINE_BREAK)
_SPACED_LETTERS = re.compile(rf"(?<!\w)\w(?:{_SPACED}\w){{3}}")  # a spaced name's first four


def fold(word: str) -> str:
    """A word as re.IGNORECASE compares it to the names' letters: case-folded, and the dotted and
    dotless i taken for i."""
    return word.casefold().replace("ı", "i").replace("i̇", "i")


@lru_cache(maxsize=1)
def _shipped_by_word() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for name in SHIPPED:
        key = fold(name)
        index[key] = (*index.get(key, ()), name)
    return index


def _shipped_patterns(text: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The shipped names' patterns, or those of the names the text can hold."""
    if _SPACED_LETTERS.search(text):
        return _list_patterns()
    index = _shipped_by_word()
    held: set[str] = set()
    for word in map(fold, _spans(text)):
        held.update(index.get(word, ()))
        if word.endswith("s"):
            held.update(index.get(word[:-1], ()))
    return _some_shipped(frozenset(held))


def _spans(text: str) -> Iterator[str]:
    """Every word, and every run of words that only line breaks part, as short as a name."""
    if "\n" not in text:
        yield from _WORD.findall(text)
        return
    chain: list[str] = []
    end = 0
    for word in _WORD.finditer(text):
        if chain and not _BROKEN.fullmatch(text, end, word.start()):
            yield from _joined(chain)
            chain = []
        chain.append(word.group())
        end = word.end()
    yield from _joined(chain)


def _joined(chain: list[str]) -> Iterator[str]:
    for first in range(len(chain)):
        joined = ""
        for part in chain[first:]:
            joined += part
            if len(joined) > _LONGEST:
                break
            yield joined


@lru_cache(maxsize=1024)
def _some_shipped(names: frozenset[str]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    return _split(names)


@lru_cache(maxsize=64)
def _alias_patterns(aliases: frozenset[str]) -> tuple[re.Pattern[str] | None, ...]:
    """A session's aliases: the whole alias and each name in it ("Mette Hansen")."""
    names = set(aliases)
    for alias in aliases:
        names.update(part for part in alias.split() if len(part) >= 3 and part.isalpha())
    return _split(names)


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'«»(–-")
    return not before or before[-1] in ".!?:\n•*"


def _said(text: str, end: int) -> bool:
    """Whether the word at the start of a sentence is followed by ':' ',' or a verb of saying."""
    rest = text[end:]
    if rest[:1] in (":", ","):
        return True
    following = re.match(r"\s+(\w+)", rest)
    return following is not None and following.group(1).lower() in SAYING


def _as_name(text: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        if _starts_sentence(text, match.start()) and not _said(text, match.end()):
            return match.group(0)  # "Bo hjemme ...", "Leder og medarbejder": an ordinary word
        return MARKER

    return replace


def scrub(text: str, aliases: Iterable[str] = ()) -> str:
    if _EMAIL_SIGN.search(text):
        text = _EMAIL.sub(MARKER, text)
    text = _CPR.sub(MARKER, text)
    text = _PHONE.sub(MARKER, text)
    mine = _alias_patterns(frozenset(a.strip() for a in aliases if a.strip()))
    for loose, strict in (mine, _shipped_patterns(text)):
        if loose is not None:
            text = loose.sub(MARKER, text)
        if strict is not None:
            text = strict.sub(_as_name(text), text)
    return text
