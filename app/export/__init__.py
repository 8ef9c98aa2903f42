"""One Summary object (summary.py), rendered in every download format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Response

from app.export.markdown import to_markdown
from app.export.summary import Summary, to_json
from app.export.table import to_csv


@dataclass(frozen=True)
class Download:
    render: Callable[[Summary], str | bytes]
    media_type: str
    label: str


def to_pdf(summary: Summary) -> bytes:
    # fpdf and its fonts are imported at the first PDF, not at every process's start (~0.2 s).
    from app.export.pdf import to_pdf as render

    return render(summary)


FORMATS = {
    "pdf": Download(to_pdf, "application/pdf", "PDF"),
    "md": Download(to_markdown, "text/markdown; charset=utf-8", "Markdown"),
    "json": Download(to_json, "application/json", "JSON"),
    "csv": Download(to_csv, "text/csv; charset=utf-8", "CSV"),
}


def filename(code: str, date: str, fmt: str) -> str:
    return f"sparring-{code}-{date.replace('-', '')}.{fmt}"


def response(summary: Summary, code: str, fmt: str) -> Response:
    """A download of the summary in one format (404 for an unknown one)."""
    chosen = FORMATS.get(fmt)
    if chosen is None:
        raise HTTPException(404)  # the error page names it: the page does not exist
    return Response(
        chosen.render(summary),
        media_type=chosen.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename(code, summary.date, fmt)}"'
        },
    )
