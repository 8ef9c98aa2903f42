"""Join codes: six readable characters; what a person types is forgiven case and spaces."""

from __future__ import annotations

import pytest

from app.domain.codes import ALPHABET, LENGTH, new_code, normalise


def test_length_is_six() -> None:
    assert LENGTH == 6


def test_alphabet_is_unambiguous_uppercase() -> None:
    assert len(set(ALPHABET)) == len(ALPHABET)
    assert ALPHABET.upper() == ALPHABET
    assert ALPHABET.isalnum()
    for confusable in "0O1IL5S8B":
        assert confusable not in ALPHABET


def test_new_code_has_length_six_and_only_alphabet_chars() -> None:
    for _ in range(500):
        code = new_code()
        assert len(code) == 6
        assert set(code) <= set(ALPHABET), code


def test_new_codes_vary() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) > 190  # 26**6 possibilities: collisions in 200 draws are very rare


def test_new_code_survives_normalise() -> None:
    for _ in range(50):
        code = new_code()
        assert normalise(code) == code
        assert normalise(code.lower()) == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ACDEFG", "ACDEFG"),
        ("acdefg", "ACDEFG"),
        ("AcDeFg", "ACDEFG"),
        (" acd efg ", "ACDEFG"),
        ("ac de fg", "ACDEFG"),
        ("acd\tefg\n", "ACDEFG"),
        ("  a c d e f g  ", "ACDEFG"),
        ("\u00a0acd efg", "ACDEFG"),  # no-break space from a copy-paste
        ("", ""),
        ("   ", ""),
        ("x7k 9p2", "X7K9P2"),
    ],
)
def test_normalise_strips_spaces_and_uppercases(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_is_idempotent() -> None:
    for raw in [" ab cd ", "Q W E R T Y", "xyz234"]:
        assert normalise(normalise(raw)) == normalise(raw)
