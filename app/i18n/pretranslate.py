"""Templates compiled once per language, their plain `_("...")` already translated.

A phone's view calls `_()` a dozen times, each a round of Jinja's call machinery, a catalogue
look-up and an escape: a fifth of its render, times a thousand phones at a phase change. A call
with one literal and no placeholders always gives the same text in one language, so each language
gets its own compiled templates (an overlay of the one environment, app/web.py) in which such a
call is that text as a literal. It is autoescaped on output like the call's result was, so the
page is the same. Calls with placeholders, plurals, contexts and {% trans %} blocks stay calls.
"""

from __future__ import annotations

from collections.abc import Iterator

from jinja2.ext import Extension
from jinja2.lexer import (
    TOKEN_DOT,
    TOKEN_LPAREN,
    TOKEN_NAME,
    TOKEN_RPAREN,
    TOKEN_STRING,
    Token,
    TokenStream,
)

from app import i18n

NAMES = ("_", "gettext")
LANGUAGE = "pretranslate_language"  # the environment attribute naming its templates' language


class Pretranslate(Extension):
    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        language: str | None = getattr(self.environment, LANGUAGE, None)
        if language is None:  # the shared environment: templates are compiled per language
            yield from stream
            return
        window: list[Token] = []
        before = ""  # the type of the token before the window: `x._("a")` is not the call
        for token in stream:
            window.append(token)
            if len(window) == 4:
                literal = None if before == TOKEN_DOT else _literal(window, language)
                if literal is not None:
                    window = [literal]
                    continue
                before = window[0].type
                yield window.pop(0)
        yield from window


def _literal(window: list[Token], language: str) -> Token | None:
    """`_("text")` as the text in `language`, if these four tokens are such a call."""
    name, lparen, text, rparen = window
    if not (
        name.type == TOKEN_NAME
        and name.value in NAMES
        and lparen.type == TOKEN_LPAREN
        and text.type == TOKEN_STRING
        and rparen.type == TOKEN_RPAREN
    ):
        return None
    # "%%" reads "%", as the call's formatting made it; a placeholder without a value is left to
    # the call, to fail as it did.
    try:
        translated = i18n.translations(language).gettext(text.value) % {}
    except (KeyError, ValueError, TypeError):
        return None
    return Token(name.lineno, TOKEN_STRING, translated)
