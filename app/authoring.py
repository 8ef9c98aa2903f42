"""Writing the library from the facilitator's pages: create, edit, duplicate, archive, import, export.

Every write goes through the same schema as the seed files (library.CaseFile), so a case made in
the UI could be saved as a seed file and loaded again unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError
from sqlmodel import Session as Db
from sqlmodel import col, func, select

from app.domain import RuleError
from app.i18n import gettext
from app.i18n.named import CASE_FILE_FIELDS
from app.library import CaseFile, Library, describe
from app.models import LibraryCase, utcnow

OWN_SET = "egne"
MAX_IMPORT_CASES = 500

CASE_FIELDS = (
    "title",
    "set",
    "number",
    "duty",
    "secondary_duties",
    "text",
    "question",
    "options",
    "prompts",
    "source",
    "language",
    "slug",
)
"""The case file's fields, named in refusals as the form names them (catalogue case_file.field.*)."""


def slugify(title: str) -> str:
    text = title.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "case"


def _free_slug(db: Db, wanted: str) -> str:
    taken = set(
        db.exec(select(LibraryCase.slug).where(col(LibraryCase.slug).startswith(wanted))).all()
    )
    slug, n = wanted, 2
    while slug in taken:
        slug, n = f"{wanted}-{n}", n + 1
    return slug


def _next_number(db: Db, case_set: str) -> int:
    top = db.exec(
        select(func.max(LibraryCase.number)).where(LibraryCase.case_set == case_set)
    ).one()
    return (top or 0) + 1


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in raw.splitlines() if line.strip()]


def validate(lib: Library, data: dict[str, Any]) -> CaseFile:
    """A case checked against the schema; the refusal names the form's fields in the person's language."""
    try:
        return CaseFile.model_validate(data, context=lib.context)
    except ValidationError as exc:
        message = describe(exc, _label)
        raise RuleError("case.not_saved", detail=message) from exc


def _label(name: str) -> str:
    """A case file's field as the edit form names it."""
    return gettext(CASE_FILE_FIELDS[name]) if name in CASE_FIELDS else name


def form_data(form: dict[str, Any]) -> dict[str, Any]:
    """The edit form as a case mapping: options and prompts one per line."""
    return {
        "title": str(form.get("title", "")),
        "set": str(form.get("set", OWN_SET)),
        "duty": str(form.get("duty", "")),
        "secondary_duties": [str(s) for s in form.get("secondary_duties", [])],
        "text": str(form.get("text", "")).replace("\r\n", "\n"),
        "question": str(form.get("question", "")),
        "options": _lines(str(form.get("options", ""))),
        "prompts": _lines(str(form.get("prompts", ""))),
        "source": {
            "document": str(form.get("source_document", "")).strip() or "Egen case",
            "ref": str(form.get("source_ref", "")),
        },
        "language": str(form.get("language", "da")),
    }


def get_case(db: Db, slug: str) -> LibraryCase:
    row = db.exec(select(LibraryCase).where(LibraryCase.slug == slug)).first()
    if row is None:
        raise RuleError("none.case", slug=slug[:120])
    return row


def create_case(db: Db, lib: Library, data: dict[str, Any]) -> LibraryCase:
    case_set = str(data.get("set") or OWN_SET)
    data = {
        **data,
        "slug": _free_slug(db, slugify(str(data.get("title", "")))),
        "number": _next_number(db, case_set),
    }
    row = LibraryCase(**validate(lib, data).row_values())
    db.add(row)
    db.flush()
    db.refresh(row)
    return row


def update_case(db: Db, lib: Library, slug: str, data: dict[str, Any]) -> LibraryCase:
    row = get_case(db, slug)
    if "perspective" not in data and row.perspective:
        # The edit form has no perspective field; an edit must not drop the one the case carries.
        data = {
            **data,
            "perspective": {
                "text": row.perspective,
                "source": {"document": row.perspective_source, "ref": row.perspective_ref},
            },
        }
    number = row.number if data.get("set", row.case_set) == row.case_set else None
    data = {**data, "slug": row.slug, "number": number or _next_number(db, str(data["set"]))}
    for key, value in validate(lib, data).row_values().items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    db.refresh(row)
    return row


def duplicate_case(db: Db, slug: str) -> LibraryCase:
    """A copy to adapt: same content, own slug and number, never touched by a seed file."""
    row = get_case(db, slug)
    values = row.model_dump(exclude={"id", "file_digest", "updated_at", "archived"})
    values["title"] = f"{row.title} (kopi)"[:200]
    values["slug"] = _free_slug(db, f"{row.slug}-kopi"[:110])
    values["number"] = _next_number(db, row.case_set)
    copy = LibraryCase(**values)
    db.add(copy)
    db.flush()
    db.refresh(copy)
    return copy


def set_archived(db: Db, slug: str, archived: bool) -> LibraryCase:
    row = get_case(db, slug)
    row.archived = archived
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    return row


# Export and import ---------------------------------------------------------------------------------


def export_set(db: Db, lib: Library, set_slug: str) -> str:
    """A case set as one YAML file: the set and its cases (archived ones too, marked so)."""
    case_set = next((s for s in lib.sets if s.slug == set_slug), None)
    if case_set is None:
        raise RuleError("none.case_set", slug=set_slug[:60])
    rows = db.exec(
        select(LibraryCase)
        .where(LibraryCase.case_set == set_slug)
        .order_by(col(LibraryCase.number))
    ).all()
    document = {
        "schema": "sparring.caseset/1",
        "set": case_set.model_dump(),
        "cases": [
            {**CaseFile.from_row(r).model_dump(), **({"archived": True} if r.archived else {})}
            for r in rows
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def _free_number(numbers: dict[tuple[str, int], str], case_set: str, wanted: int, slug: str) -> int:
    """The case's number in its set, or the set's next one if another case holds it: numbers
    label the cases on the projector ("Case 4"), so two in a set must not share one."""
    holder = numbers.get((case_set, wanted))
    if holder is None or holder == slug:
        return wanted
    return max(n for s, n in numbers if s == case_set) + 1


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (which case, why)
    renumbered: list[tuple[str, int]] = field(default_factory=list)  # (case, its new number)


def import_set(db: Db, lib: Library, raw: bytes) -> ImportReport:
    """Add new cases and update existing ones by slug; each invalid case is rejected with a reason."""
    try:
        document = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleError("import.unreadable", detail=str(exc)[:300]) from exc
    cases = document.get("cases") if isinstance(document, dict) else None
    if not isinstance(cases, list):
        raise RuleError("import.not_a_set")
    if len(cases) > MAX_IMPORT_CASES:
        raise RuleError("import.too_many", most=MAX_IMPORT_CASES)
    report = ImportReport()
    existing = {r.slug: r for r in db.exec(select(LibraryCase)).all()}
    numbers = {(r.case_set, r.number): r.slug for r in existing.values()}
    seen: set[str] = set()
    for index, item in enumerate(cases, start=1):
        data = dict(item) if isinstance(item, dict) else {}
        archived = bool(data.pop("archived", False))
        name = str(data.get("slug") or data.get("title") or f"case {index}")[:120]
        try:
            case = CaseFile.model_validate(data, context=lib.context)
        except ValidationError as exc:
            report.rejected.append((name, describe(exc)))
            continue
        if case.slug in seen:
            report.rejected.append((name, gettext("slug: står to gange i filen")))
            continue
        seen.add(case.slug)
        row = existing.get(case.slug)
        values = case.row_values()
        if row is not None and numbers.get((row.case_set, row.number)) == row.slug:
            del numbers[(row.case_set, row.number)]  # its old place is free for itself or others
        number = _free_number(numbers, case.set, case.number, case.slug)
        if number != case.number:
            values["number"] = number
            report.renumbered.append((case.slug, number))
        numbers[(case.set, number)] = case.slug
        if row is None:
            db.add(LibraryCase(**values, archived=archived))
            report.added.append(case.slug)
        elif any(getattr(row, k) != v for k, v in values.items()) or row.archived != archived:
            for key, value in values.items():
                setattr(row, key, value)
            row.archived, row.updated_at = archived, utcnow()
            db.add(row)
            report.updated.append(case.slug)
        else:
            report.unchanged.append(case.slug)
    db.flush()
    return report
