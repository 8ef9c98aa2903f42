"""The case library as data: seed/duties.yaml and seed/cases/*.yaml, validated and synced to the db."""

from __future__ import annotations

import logging
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session as Db
from sqlmodel import select

from app.models import LibraryCase

log = logging.getLogger(__name__)


class Duty(BaseModel):
    slug: str
    number: int
    name_da: str
    name_en: str
    principle_da: str
    principle_en: str = ""
    guidance_da: list[str] = Field(default_factory=list)
    source: str = ""


class CaseFile(BaseModel):
    slug: str = Field(pattern=r"^[a-z0-9-]+$", max_length=120)
    set: str
    number: int
    title: str = Field(min_length=1)
    duty: str
    secondary_duties: list[str] = Field(default_factory=list)
    text: str = Field(min_length=1)
    question: str = Field(min_length=1)
    options: list[str] = Field(min_length=3, max_length=5)
    prompts: list[str] = Field(default_factory=list, max_length=3)
    source: str = ""
    language: str = "da"


def load_duties(seed_dir: Path) -> list[Duty]:
    path = seed_dir / "duties.yaml"
    if not path.exists():
        return []
    return [Duty.model_validate(item) for item in yaml.safe_load(path.read_text("utf-8"))]


def load_case_files(seed_dir: Path) -> tuple[list[CaseFile], list[str]]:
    """Every valid case file, and one error line per broken file (file and field named)."""
    cases: list[CaseFile] = []
    errors: list[str] = []
    for path in sorted((seed_dir / "cases").glob("*.yaml")):
        try:
            cases.append(CaseFile.model_validate(yaml.safe_load(path.read_text("utf-8"))))
        except yaml.YAMLError as exc:
            errors.append(f"{path.name}: ugyldig YAML: {exc}")
        except ValidationError as exc:
            fields = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            errors.append(f"{path.name}: {fields}")
    return cases, errors


def sync_library(db: Db, cases: list[CaseFile]) -> int:
    """Insert new cases and update changed ones by slug; returns how many rows changed."""
    existing = {c.slug: c for c in db.exec(select(LibraryCase)).all()}
    changed = 0
    for case in cases:
        values = case.model_dump()
        values["case_set"] = values.pop("set")
        row = existing.get(case.slug)
        if row is None:
            db.add(LibraryCase(**values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            db.add(row)
            changed += 1
    db.commit()
    return changed


def seed_library(db: Db, seed_dir: Path) -> int:
    cases, errors = load_case_files(seed_dir)
    for error in errors:
        log.error("Case file skipped: %s", error)
    return sync_library(db, cases)
