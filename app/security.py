"""Password hashing (Argon2id via pwdlib) and opaque random tokens."""

import hashlib
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_password_hash = PasswordHash((Argon2Hasher(),))
# A real hash to verify against when the e-mail is unknown, so both paths take as long.
_DUMMY_HASH = _password_hash.hash("walkabout-timing-equaliser")


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when the password matches; spends the same time when there is no user."""
    if not password_hash:  # no such user, or one who signs in with single sign-on only
        _password_hash.verify(password, _DUMMY_HASH)
        return False
    return _password_hash.verify(password, password_hash)


def new_token() -> str:
    """An unguessable URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What we store of a token: its SHA-256, so a leaked table opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()
