"""Every KL case carries a perspective on its duties with a source; a broken one is named."""

from __future__ import annotations

from pathlib import Path

from app.library import load_library

SEED = Path(__file__).resolve().parents[2] / "seed"


def test_every_kl_case_has_a_perspective_naming_its_duty_and_source() -> None:
    lib = load_library(SEED)
    names = {d.slug: d.name_da for d in lib.duties}
    kl = [c for c in lib.cases if c.set == "kl-2024"]
    assert len(kl) == 29
    for case in kl:
        view = case.perspective
        assert view is not None, case.slug
        assert names[case.duty].lower() in view.text.lower(), case.slug
        assert "Kodeks" in view.source.document and view.source.ref.startswith("s. "), case.slug
        assert case.row_values()["perspective"] == view.text


def test_a_perspective_without_a_source_is_refused_by_name(tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    (seed / "cases").mkdir(parents=True)
    for name in ("duties.yaml", "sets.yaml"):
        (seed / name).write_text((SEED / name).read_text("utf-8"), "utf-8")
    original = (SEED / "cases" / "kl-08-gavemodtagelse.yaml").read_text("utf-8")
    broken = original[: original.index("  source:\n    document")]
    (seed / "cases" / "kl-08-gavemodtagelse.yaml").write_text(broken, "utf-8")
    lib = load_library(seed)
    assert lib.cases == []
    assert lib.errors == ["cases/kl-08-gavemodtagelse.yaml: perspective.source: skal udfyldes"]
