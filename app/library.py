"""The case library as data: seed/duties.yaml, seed/sets.yaml and seed/cases/*.yaml.

Every file is validated against a schema; a broken one is reported (file and field named) and
skipped, the valid ones load. Syncing to the db is idempotent: a case is inserted once by slug and
updated only when its file changed since it was last loaded, so an edit made in the UI survives a
restart until the file itself changes. Sessions copy their cases, so no sync touches a summary.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from sqlmodel import Session as Db
from sqlmodel import select

from app.db import begin_write
from app.i18n import gettext
from app.i18n.named import CASE_FILE_ERRORS, CASE_FILE_UNKNOWN
from app.models import LibraryCase, utcnow

log = logging.getLogger(__name__)

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MIN_OPTIONS, MAX_OPTIONS = 3, 5
MAX_PROMPTS = 3
LANGUAGES = ("da", "en")


class Duty(BaseModel):
    """One of the seven duties, with its principle and "det betyder" guidance."""

    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=SLUG)
    number: int = Field(ge=1)
    name_da: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    principle_da: str = Field(min_length=1)
    principle_en: str = ""
    guidance_da: list[str] = Field(default_factory=list)
    guidance_en: list[str] = Field(default_factory=list)
    source: str = ""


class CaseSet(BaseModel):
    """A named group of cases (the KL appendix, the BUU theme meeting, our own)."""

    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=SLUG, max_length=60)
    title: str = Field(min_length=1)
    description: str = ""


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: str = Field(min_length=1)
    ref: str = ""  # page or number in the document


class Perspective(BaseModel):
    """What the kodeks says about this kind of situation, shown only after the groups answered."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    text: str = Field(min_length=1, max_length=1500)
    source: Source


class CaseFile(BaseModel):
    """One case as it is written in seed/cases/<slug>.yaml (and in an exported case set).

    No options makes it an open-discussion case: groups post reasoning only, nobody votes.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    slug: str = Field(pattern=SLUG, max_length=120)
    set: str = Field(pattern=SLUG, max_length=60)
    number: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=200)
    duty: str
    secondary_duties: list[str] = Field(default_factory=list)
    text: str = Field(min_length=1, max_length=6000)
    question: str = Field(min_length=1, max_length=600)
    options: list[str] = Field(default_factory=list)
    prompts: list[str] = Field(min_length=1, max_length=MAX_PROMPTS)
    source: Source
    language: str = "da"
    perspective: Perspective | None = None

    @field_validator("options")
    @classmethod
    def _options(cls, value: list[str]) -> list[str]:
        if value and not MIN_OPTIONS <= len(value) <= MAX_OPTIONS:
            counts = {"least": MIN_OPTIONS, "most": MAX_OPTIONS, "found": len(value)}
            raise ValueError(
                gettext(
                    "skal have %(least)s-%(most)s svarmuligheder eller ingen (åben drøftelse), ikke %(found)s",
                    **counts,
                )
            )
        return _texts(value)

    @field_validator("prompts")
    @classmethod
    def _prompts(cls, value: list[str]) -> list[str]:
        return _texts(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(gettext("skal være en af %(known)s", known=", ".join(LANGUAGES)))
        return value

    @field_validator("duty")
    @classmethod
    def _duty(cls, value: str, info: ValidationInfo) -> str:
        return _known(value, info, "duties")

    @field_validator("secondary_duties")
    @classmethod
    def _secondary(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for slug in value:
            _known(slug, info, "duties")
        if len(set(value)) != len(value):
            raise ValueError(gettext("en pligt står flere gange"))
        if info.data.get("duty") in value:
            raise ValueError(gettext("den primære pligt må ikke også være sekundær"))
        return value

    @field_validator("set")
    @classmethod
    def _set(cls, value: str, info: ValidationInfo) -> str:
        return _known(value, info, "sets")

    @property
    def open_discussion(self) -> bool:
        return not self.options

    def digest(self) -> str:
        """A fingerprint of the content: the sync updates a case only when this changes."""
        canonical = json.dumps(self.model_dump(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def row_values(self) -> dict[str, Any]:
        values = self.model_dump(exclude={"set", "source", "perspective"})
        view = self.perspective
        return {
            **values,
            "case_set": self.set,
            "source": self.source.document,
            "source_ref": self.source.ref,
            "perspective": view.text if view else "",
            "perspective_source": view.source.document if view else "",
            "perspective_ref": view.source.ref if view else "",
        }

    @classmethod
    def from_row(cls, row: LibraryCase) -> CaseFile:
        """The file form of a stored case (for export and for the edit form); not re-validated."""
        return cls.model_construct(
            slug=row.slug,
            set=row.case_set,
            number=row.number,
            title=row.title,
            duty=row.duty,
            secondary_duties=list(row.secondary_duties),
            text=row.text,
            question=row.question,
            options=list(row.options),
            prompts=list(row.prompts),
            source=Source.model_construct(document=row.source, ref=row.source_ref),
            language=row.language,
            perspective=Perspective.model_construct(
                text=row.perspective,
                source=Source.model_construct(
                    document=row.perspective_source, ref=row.perspective_ref
                ),
            )
            if row.perspective
            else None,
        )


def _texts(value: list[str]) -> list[str]:
    texts = [item.strip() for item in value]
    if any(not item for item in texts):
        raise ValueError(gettext("må ikke indeholde tomme linjer"))
    return texts


def _known(value: str, info: ValidationInfo, key: str) -> str:
    known = (info.context or {}).get(key)
    if known is not None and value not in known:
        raise ValueError(
            gettext(CASE_FILE_UNKNOWN[key], value=value, known=", ".join(sorted(known)))
        )
    return value


# Pydantic's own checks, worded in our messages (its messages are English only).
WORDED = frozenset(
    {"missing", "too_short", "too_long", "string_too_short", "string_too_long", "string_type"}
    | {"list_type", "int_parsing", "int_type", "extra_forbidden"}
)


def describe(exc: ValidationError, field_name: Callable[[str], str] = str) -> str:
    """`field: message; field: message`, in the reader's language: the field path as in the file,
    or its first part named by `field_name` (the edit form's labels)."""
    parts = []
    for error in exc.errors():
        path = [str(p) for p in error["loc"]]
        where = ".".join([field_name(path[0]), *path[1:]]) if path else gettext("(hele filen)")
        if error["type"] in WORDED:
            message = gettext(CASE_FILE_ERRORS[error["type"]], **error.get("ctx", {}))
        else:  # our own validators raise ValueError with a catalogue text already
            message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


@dataclass
class Library:
    duties: list[Duty] = field(default_factory=list)
    sets: list[CaseSet] = field(default_factory=list)
    cases: list[CaseFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def context(self) -> dict[str, set[str]]:
        """What a case may refer to: the validation context for CaseFile."""
        return {"duties": {d.slug for d in self.duties}, "sets": {s.slug for s in self.sets}}

    def duty_map(self) -> dict[str, Duty]:
        return {d.slug: d for d in self.duties}


def _read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def _load_list(path: Path, model: type[BaseModel], errors: list[str]) -> list[Any]:
    """A YAML list of mappings; each broken entry is reported as `file: [index].field: message`."""
    if not path.exists():
        errors.append(gettext("%(name)s: filen mangler", name=path.name))
        return []
    try:
        items = _read_yaml(path)
    except yaml.YAMLError as exc:
        errors.append(gettext("%(name)s: ugyldig YAML: %(error)s", name=path.name, error=exc))
        return []
    if not isinstance(items, list):
        errors.append(gettext("%(name)s: skal være en liste", name=path.name))
        return []
    valid = []
    for index, item in enumerate(items):
        try:
            valid.append(model.model_validate(item))
        except ValidationError as exc:
            errors.append(f"{path.name}: [{index}].{describe(exc)}")
    return valid


@cache
def duty_names(seed_dir: Path) -> dict[str, str]:
    """Each duty's Danish name, as a stored summary names it: duties.yaml only, read once."""
    duties = _load_list(seed_dir / "duties.yaml", Duty, [])
    return {d.slug: d.name_da for d in duties}


def load_library(seed_dir: Path) -> Library:
    """Duties, case sets and every valid case file; one error line per broken file or entry."""
    lib = Library()
    lib.duties = _load_list(seed_dir / "duties.yaml", Duty, lib.errors)
    lib.sets = _load_list(seed_dir / "sets.yaml", CaseSet, lib.errors)
    seen: dict[str, str] = {}
    for path in sorted((seed_dir / "cases").glob("*.yaml")):
        try:
            case = CaseFile.model_validate(_read_yaml(path), context=lib.context)
        except yaml.YAMLError as exc:
            lib.errors.append(
                gettext("%(name)s: ugyldig YAML: %(error)s", name=f"cases/{path.name}", error=exc)
            )
            continue
        except ValidationError as exc:
            lib.errors.append(f"cases/{path.name}: {describe(exc)}")
            continue
        if case.slug in seen:
            other = seen[case.slug]
            lib.errors.append(
                gettext(
                    "cases/%(name)s: slug: '%(slug)s' findes også i %(other)s",
                    name=path.name,
                    slug=case.slug,
                    other=other,
                )
            )
            continue
        seen[case.slug] = path.name
        lib.cases.append(case)
    return lib


def by_duty(
    duties: list[Duty], cases: Sequence[LibraryCase]
) -> list[tuple[str, list[LibraryCase]]]:
    """Cases under their primary duty's name, duties in kodeks order (unknown duties last)."""
    order = {d.slug: (d.number, d.name_da) for d in duties}
    groups: dict[str, list[LibraryCase]] = {}
    for case in cases:
        groups.setdefault(case.duty, []).append(case)
    ranked = sorted(groups, key=lambda slug: order.get(slug, (len(order) + 1, slug)))
    return [(order.get(slug, (0, slug))[1], groups[slug]) for slug in ranked]


def sync_library(db: Db, cases: list[CaseFile]) -> int:
    """Insert new cases; update a case whose file changed since its last load. Returns the count.
    As a writer from its first read: processes starting together each seed the library."""
    begin_write(db)
    existing = {c.slug: c for c in db.exec(select(LibraryCase)).all()}
    changed = 0
    for case in cases:
        digest = case.digest()
        row = existing.get(case.slug)
        if row is not None and row.file_digest == digest:
            continue
        if row is None:
            row = LibraryCase(**case.row_values())
        else:
            for key, value in case.row_values().items():
                setattr(row, key, value)
        row.file_digest = digest
        row.updated_at = utcnow()
        db.add(row)
        changed += 1
    db.commit()
    return changed


def seed_library(db: Db, seed_dir: Path) -> tuple[Library, int]:
    lib = load_library(seed_dir)
    for error in lib.errors:
        log.error("Seed-fil sprunget over: %s", error)
    return lib, sync_library(db, lib.cases)
