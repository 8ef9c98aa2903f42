"""The library as data: every shipped file validates, broken files are named, loading is idempotent."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session as Db
from sqlmodel import select

from app.config import Settings
from app.db import make_engine
from app.library import MAX_OPTIONS, MIN_OPTIONS, load_library, seed_library
from app.main import create_app
from app.models import LibraryCase, SessionCase
from app.services import create_session
from tests.routers.conftest import PASSWORD
from tests.utils.clients import arm_csrf

SEED = Path(__file__).resolve().parents[2] / "seed"


def test_every_shipped_file_loads() -> None:
    lib = load_library(SEED)
    assert lib.errors == []
    assert [d.number for d in lib.duties] == list(range(1, 8))
    per_set = Counter(c.set for c in lib.cases)
    assert per_set == {"kl-2024": 29, "buu-2017": 3, "albertslund-2012": 3}
    for case in lib.cases:
        assert case.open_discussion == (case.set != "kl-2024"), case.slug
        assert case.open_discussion or MIN_OPTIONS <= len(case.options) <= MAX_OPTIONS
        assert 1 <= len(case.prompts) <= 3 and case.source.document and case.source.ref
        assert (SEED / "cases" / f"{case.slug}.yaml").exists(), "the file is named after its slug"
    assert sorted(c.number for c in lib.cases if c.set == "kl-2024") == list(range(1, 30))


def test_no_case_text_is_empty_or_duplicated() -> None:
    lib = load_library(SEED)
    for attr in ("title", "text"):
        values = [getattr(c, attr).strip() for c in lib.cases]
        assert all(values), attr
        assert [v for v, n in Counter(values).items() if n > 1] == [], attr
    options = [o for c in lib.cases for o in c.options]
    assert [o for o, n in Counter(options).items() if n > 1] == []
    for case in lib.cases:
        assert len(set(case.prompts)) == len(case.prompts), case.slug
        assert case.duty not in case.secondary_duties
    for duty in lib.duties:
        assert duty.name_da and duty.name_en and duty.principle_da and len(duty.guidance_da) >= 4
        assert len(duty.guidance_en) == len(duty.guidance_da), "the guidance in English too"


BROKEN = {
    "x-ukendt-pligt.yaml": ("duty: lovlighed", "duty: ærlighed", "duty: ukendt pligt 'ærlighed'"),
    "x-to-muligheder.yaml": (
        "  - Jeg siger på mødet",
        "  - Jeg siger på mødet",
        "options: skal have 3-5 svarmuligheder eller ingen (åben drøftelse), ikke 2",
    ),
    "x-ingen-spoergsmaal.yaml": ("question: ", "questio: ", "question: skal udfyldes"),
    "x-tom-tekst.yaml": ("text: |", "text: ''\nx: |", "text: skal være mindst 1 tegn"),
    "x-ugyldig.yaml": ("title: ", "title: [", "ugyldig YAML"),
    "x-sprog.yaml": ("language: da", "language: sv", "language: skal være en af da, en"),
}


def _broken_seed(tmp_path: Path) -> Path:
    seed = tmp_path / "seed"
    shutil.copytree(SEED, seed)
    template = (SEED / "cases" / "kl-04-udvikling-af-udkantsomraader.yaml").read_text("utf-8")
    for name, (old, new, _) in BROKEN.items():
        text = template.replace("kl-04-udvikling-af-udkantsomraader", name.removesuffix(".yaml"))
        if name == "x-to-muligheder.yaml":
            options = text.index("options:"), text.index("prompts:")
            lines = text[options[0] : options[1]].splitlines(keepends=True)
            text = text[: options[0]] + "".join(lines[:3]) + text[options[1] :]
        else:
            assert old in text, name
            text = text.replace(old, new, 1)
        (seed / "cases" / name).write_text(text, "utf-8")
    return seed


def test_broken_files_are_named_with_their_field_and_skipped(tmp_path: Path) -> None:
    lib = load_library(_broken_seed(tmp_path))
    assert len(lib.cases) == 35, "the valid files still load"
    assert len(lib.errors) == len(BROKEN)
    for name, (_, _, message) in BROKEN.items():
        line = next((e for e in lib.errors if e.startswith(f"cases/{name}: ")), "")
        assert message in line, (name, lib.errors)


def test_a_broken_duty_entry_is_named_and_its_cases_refused(tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    shutil.copytree(SEED, seed)
    duties = (seed / "duties.yaml").read_text("utf-8")
    (seed / "duties.yaml").write_text(duties.replace("  name_en: Legality\n", ""), "utf-8")
    lib = load_library(seed)
    assert lib.errors[0] == "duties.yaml: [0].name_en: skal udfyldes"
    assert len(lib.duties) == 6
    using = [c for c in load_library(SEED).cases if "lovlighed" in (c.duty, *c.secondary_duties)]
    refused = [e for e in lib.errors if "ukendt pligt 'lovlighed'" in e]
    assert len(refused) == len(using) and len(lib.cases) == 35 - len(using)


def test_the_app_starts_with_the_valid_files(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data", seed_dir=_broken_seed(tmp_path)))
    with TestClient(app) as http:
        from app.cli import add_user

        with Db(app.state.engine) as db:
            add_user(db, "fac", PASSWORD, "facilitator")
        http.get("/")
        arm_csrf(http)
        http.post("/facilitator/login", data={"username": "fac", "password": PASSWORD})
        assert http.get("/facilitator").text.count('name="cases"') == 35


def test_loading_is_idempotent_and_sessions_keep_their_copy(tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    shutil.copytree(SEED, seed)
    engine = make_engine(Settings(data_dir=tmp_path / "data"))
    with Db(engine) as db:
        assert seed_library(db, seed)[1] == 35
        assert seed_library(db, seed)[1] == 0, "a restart changes nothing"
        assert len(db.exec(select(LibraryCase)).all()) == 35
        from app.cli import add_user

        user = add_user(db, "fac", PASSWORD, "facilitator")
        session = create_session(db, user, "Før", ["kl-01-spareoevelsen"], 4)

        # A facilitator's edit in the UI survives a restart while the file is unchanged ...
        row = db.exec(
            select(LibraryCase).where(LibraryCase.slug == "kl-02-den-inhabile-udvalgsformand")
        ).one()
        row.title = "Rettet i Sparring"
        db.add(row)
        db.commit()
        assert seed_library(db, seed)[1] == 0
        db.refresh(row)
        assert row.title == "Rettet i Sparring"
        db.commit()  # the read ends: a start seeds as a writer from its first read

        # ... and an edited file updates its case, but not the session that already used it.
        path = seed / "cases" / "kl-01-spareoevelsen.yaml"
        path.write_text(path.read_text("utf-8").replace("Hvad gør du?", "Hvad gør du nu?"), "utf-8")
        assert seed_library(db, seed)[1] == 1
        case = db.exec(select(LibraryCase).where(LibraryCase.slug == "kl-01-spareoevelsen")).one()
        assert case.question == "Hvad gør du nu?"
        copy = db.exec(select(SessionCase).where(SessionCase.session_id == session.id)).one()
        assert copy.question == "Hvad gør du?"
    engine.dispose()


@pytest.mark.parametrize(
    "slug", ["kl-04-udvikling-af-udkantsomraader", "kl-17-ai-som-arbejdsredskab"]
)
def test_the_kl_drøft_prompts_are_kept(slug: str) -> None:
    case = next(c for c in load_library(SEED).cases if c.slug == slug)
    assert any(p.startswith("Drøft") for p in [case.question, *case.prompts])
