"""Split server pushes into top-level fragments by id, the way htmx swaps them, and read their text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Elements(HTMLParser):
    """Records (id, depth, start, end) of every element that has an id."""

    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self.line_starts = [0]
        for line in raw.split("\n"):
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)
        self.stack: list[tuple[str, str | None, int]] = []
        self.found: list[tuple[str, int, int, int]] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("id"), self._offset()))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.stack:
            return
        while self.stack:
            open_tag, fid, start = self.stack.pop()
            if open_tag == tag:
                break
        end = self._offset() + len(f"</{tag}>")
        if fid:
            self.found.append((fid, len(self.stack), start, end))


def elements(html: str) -> list[tuple[str, int, int, int]]:
    parser = _Elements(html)
    parser.feed(html)
    return parser.found


def split(html: str) -> dict[str, str]:
    """{id: outer html} for each top-level element of a pushed message."""
    return {fid: html[s:e] for fid, depth, s, e in elements(html) if depth == 0}


class Page:
    """The live DOM as htmx keeps it: each pushed fragment replaces the element with its id."""

    def __init__(self, roots: tuple[str, ...]) -> None:
        self.roots = roots  # the page's own top-level fragments; a push for an absent id is dropped
        self.top: dict[str, str] = {}

    def apply(self, message: str) -> None:
        for fid, html in split(message).items():
            if fid in self.roots:
                self.top[fid] = html
                continue
            for key, outer in self.top.items():
                hit = next(((s, e) for i, _, s, e in elements(outer) if i == fid), None)
                if hit:
                    self.top[key] = outer[: hit[0]] + html + outer[hit[1] :]
                    break

    def html(self, fid: str) -> str:
        if fid in self.top:
            return self.top[fid]
        for outer in self.top.values():
            for i, _, s, e in elements(outer):
                if i == fid:
                    return outer[s:e]
        return ""

    def text(self, fid: str) -> str:
        return text(self.html(fid))


def text(html: str) -> str:
    """Visible text of a fragment, whitespace collapsed (what a person reads)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    plain = re.sub(r"<[^>]+>", " ", html)
    plain = (
        plain.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", '"')
        .replace("&#39;", "'")
    )
    return " ".join(plain.split())


def attr(html: str, name: str) -> str | None:
    match = re.search(rf'\b{re.escape(name)}="([^"]*)"', html)
    return match.group(1) if match else None
