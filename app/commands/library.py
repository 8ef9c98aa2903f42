"""The case library's edits: authoring, copies, archiving, importing a set (app.authoring)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session as Db

from app import authoring
from app.library import Library
from app.writer import Outcome


def create(db: Db, lib: Library, data: dict[str, Any]) -> Outcome[str]:
    """The new case's slug."""
    return Outcome(authoring.create_case(db, lib, data).slug)


def update(db: Db, lib: Library, slug: str, data: dict[str, Any]) -> Outcome[str]:
    return Outcome(authoring.update_case(db, lib, slug, data).slug)


def duplicate(db: Db, slug: str) -> Outcome[str]:
    """The copy's slug."""
    return Outcome(authoring.duplicate_case(db, slug).slug)


def archive(db: Db, slug: str, archived: bool) -> Outcome[str]:
    return Outcome(authoring.set_archived(db, slug, archived).slug)


def import_set(db: Db, lib: Library, raw: bytes) -> Outcome[authoring.ImportReport]:
    return Outcome(authoring.import_set(db, lib, raw))
