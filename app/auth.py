"""Password hashing (argon2id; older scrypt hashes still verify) and random tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 30 ms on one core, so a
# login stays quick on a small shared machine while a stolen hash still costs a guesser that much
# memory per guess. Raising these later rehashes each password at its next login (needs_rehash).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1  # how passwords were hashed before argon2


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        return _verify_scrypt(password, stored)
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True for a hash older or weaker than hash_password makes: replace it at the next login."""
    return stored.startswith("scrypt$") or _HASHER.check_needs_rehash(stored)


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def waste_time(password: str) -> None:
    """Verify against a hash nobody has, so an unknown username takes as long as a wrong password
    (the answer's timing does not tell which usernames exist)."""
    verify_password(password, _dummy_hash())


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        _, salt_b64, digest_b64 = stored.split("$")
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return hmac.compare_digest(digest, expected)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Tokens are stored hashed so a copied database cannot impersonate phones or logins."""
    return hashlib.sha256(token.encode()).hexdigest()
