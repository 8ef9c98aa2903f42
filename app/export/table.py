"""The Summary as CSV: one row per case x option x round, for spreadsheets."""

from __future__ import annotations

import csv
import io

from app.export.summary import Summary

COLUMNS = [
    "date",
    "session",
    "case",
    "case_title",
    "duty",
    "option",
    "option_text",
    "round",
    "votes",
    "voters",
]


def _cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(summary: Summary) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for case in summary.cases:
        for option in case.options:
            for round_, votes, voters in (
                ("before", option.before, case.voters_before),
                ("after", option.after, case.voters_after),
            ):
                writer.writerow(
                    _cell(v)
                    for v in [
                        summary.date,
                        summary.title,
                        case.position,
                        case.title,
                        case.duty,
                        option.key,
                        option.text,
                        round_,
                        votes,
                        voters,
                    ]
                )
    return out.getvalue()
