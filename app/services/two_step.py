"""Two-step sign-in for local accounts: a time-based code (TOTP, RFC 6238) from any
authenticator app, or one of ten single-use recovery codes. Single sign-on leaves the second
step to the organisation's identity provider."""

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.models import RecoveryCode, User
from app.models.types import utcnow
from app.services.audit import record_event
from app.settings import Settings

ISSUER = "Walkabout"
PERIOD = 30  # seconds a code lasts, as every authenticator app counts them
DRIFT_STEPS = 1  # a phone's clock a step behind or ahead still works
RECOVERY_CODES = 10


def totp(secret: str, *, digits: int = 6, digest: str = "sha1") -> pyotp.TOTP:
    """The code generator for a base32 secret: six digits every 30 s with HMAC-SHA1, what
    Google Authenticator, Microsoft Authenticator and the others all read."""
    return pyotp.TOTP(secret, digits=digits, digest=getattr(hashlib, digest), interval=PERIOD)


def new_secret() -> str:
    """A 160-bit shared secret, base32 (RFC 4226 asks for at least 128 bits)."""
    return pyotp.random_base32(32)


def _box(settings: Settings) -> Fernet:
    key = hashlib.sha256(b"walkabout two-step secret\0" + settings.secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, settings: Settings) -> str:
    """The secret encrypted with the app's secret key: a copy of the database alone gives
    no one the codes. Also how a secret being set up travels in the page's form."""
    return _box(settings).encrypt(secret.encode()).decode()


def unseal(sealed: str, settings: Settings) -> str | None:
    try:
        return _box(settings).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return totp(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of an otpauth address, as inline SVG (drawn here, never by a web service
    that would see the secret)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=2, title="QR code"))


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def matching_step(secret: str, code: str, *, now: float, after: int) -> int | None:
    """The time step (of 30 s) whose code this is, within a step of now and later than
    `after` (the last step accepted: a code works once)."""
    code = _digits(code)
    generator = totp(secret)
    current = int(now // PERIOD)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(generator.generate_otp(step), code):
            return step
    return None


def accept_code(
    session: Session, *, user: User, code: str, settings: Settings, now: float | None = None
) -> bool:
    """Whether `code` is the user's current code, not used before. Two requests with the
    same code at once: one wins (the step moves on in one guarded update)."""
    secret = unseal(user.totp_secret, settings) if user.totp_secret else None
    if secret is None or user.id is None:
        return False
    step = matching_step(secret, code, now=time.time() if now is None else now, after=0)
    if step is None:
        return False
    moved = session.execute(
        update(User)
        .where(col(User.id) == user.id, col(User.totp_last_step) < step)
        .values(totp_last_step=step)
    )
    return bool(moved.rowcount)  # type: ignore[attr-defined]


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def new_recovery_codes(session: Session, *, user_id: int) -> list[str]:
    """Ten fresh recovery codes (any earlier ones stop working), shown once; only their
    hashes are kept."""
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 80 bits
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}-{raw[12:16]}")
        session.add(RecoveryCode(user_id=user_id, code_hash=_code_hash(codes[-1])))
    session.flush()
    return codes


def use_recovery_code(session: Session, *, user_id: int, code: str) -> bool:
    """Whether `code` is one of the user's unused recovery codes; it is used up."""
    if len(code.strip()) < 16:
        return False
    used = session.execute(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user_id,
            col(RecoveryCode.code_hash) == _code_hash(code),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )
    return bool(used.rowcount)  # type: ignore[attr-defined]


def recovery_codes_left(session: Session, *, user_id: int) -> int:
    rows = session.exec(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None)
        )
    )
    return len(list(rows))


def turn_on(
    session: Session, *, user: User, sealed_secret: str, code: str, settings: Settings
) -> list[str] | None:
    """Turn two-step on with the secret the user's app now holds, once a code from it
    matches; returns the recovery codes to show once (None: the code did not match)."""
    secret = unseal(sealed_secret, settings)
    if secret is None or user.id is None:
        return None
    step = matching_step(secret, code, now=time.time(), after=0)
    if step is None:
        return None
    user = session.get(User, user.id) or user  # the page's user is a copy, not this session's
    user.totp_secret = seal(secret, settings)
    user.totp_last_step = step
    session.add(user)
    assert user.id is not None
    codes = new_recovery_codes(session, user_id=user.id)
    record_event(session, action="two_step.on", actor_id=user.id, detail=user.email)
    return codes


def turn_off(session: Session, *, user: User, actor_id: int | None) -> None:
    """Two-step off (the user, or an admin for someone who lost their phone)."""
    assert user.id is not None
    user = session.get(User, user.id) or user
    user.totp_secret = None
    user.totp_last_step = 0
    session.add(user)
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    record_event(session, action="two_step.off", actor_id=actor_id, detail=user.email)
