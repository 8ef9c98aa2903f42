"""Join codes: short, easy to read aloud and type on a phone."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L, 5/S, 8/B: codes are read off a projector across a room.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY234679"
LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str:
    """What a person typed, as a code: case and spaces forgiven."""
    return "".join(raw.split()).upper()
