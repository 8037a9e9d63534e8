"""Login, server-side sessions and login throttling (all kept in the database)."""

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, or_, text, update
from sqlalchemy import select as sa_select  # more than four columns
from sqlmodel import Session, col, select

from app.models import LoginAttempt, LoginChallenge, User, UserSession
from app.models.types import utcnow
from app.security import new_token, token_digest, verify_password
from app.services.audit import record_event
from app.services.programme_settings import two_step_roles
from app.services.two_step import accept_code, use_recovery_code
from app.services.uploads import purge_expired_uploads
from app.services.users import find_user_by_email
from app.settings import Settings


class LoginThrottled(Exception):
    """Too many recent failures: the next attempt must wait `wait_seconds`."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__(f"wait {wait_seconds} s")
        self.wait_seconds = wait_seconds


class PasswordLoginOff(Exception):
    """Passwords are off here (WALKABOUT_PASSWORD_LOGIN=false): sign in with single sign-on."""


@dataclass(frozen=True)
class LoginResult:
    user: User
    # A session, or (the account signs in in two steps) the challenge for the code.
    session_token: str = ""
    challenge_token: str = ""


CHALLENGE_MINUTES = 5  # to type the code from the app
CHALLENGE_TRIES = 5  # wrong codes before the password must be given again


# Failures allowed before the waits start, as multiples of login_max_failures: for one
# account from one address (a typo or a guesser), for one account from anywhere (guessing
# spread over many addresses), and for one address over any accounts (spraying).
PAIR, ACCOUNT, ADDRESS = 1, 4, 10


def _required_wait(session: Session, *, settings: Settings, email: str, address: str) -> int:
    """Seconds still to wait before this account may be tried from this address: each failure
    past the free ones doubles the wait after the last failure (1, 2, 4 ... s, at most the
    window). The owner is slowed like anyone, never locked out; other addresses are free."""
    now = utcnow()
    since = now - timedelta(minutes=settings.login_window_minutes)
    longest = 0.0
    for where, multiple in (
        ((LoginAttempt.email == email, LoginAttempt.address == address), PAIR),
        ((LoginAttempt.email == email,), ACCOUNT),
        ((LoginAttempt.address == address,), ADDRESS),
    ):
        count, last = session.exec(
            select(func.count(), func.max(LoginAttempt.at)).where(LoginAttempt.at >= since, *where)
        ).one()
        excess = int(count) - multiple * settings.login_max_failures
        if excess >= 0 and last is not None:
            delay = min(2.0**excess, settings.login_window_minutes * 60.0)
            longest = max(longest, delay - (now - last).total_seconds())
    return max(0, math.ceil(longest))


def _one_account_at_a_time(session: Session, email: str) -> None:
    """Parallel attempts on one account are checked one after another, so that 30 at once are
    counted as 30 (SQLite's write transactions are serial already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"login:{email}"}
        )


def log_in(
    session: Session, *, settings: Settings, email: str, password: str, address: str
) -> LoginResult | None:
    """Check the credentials; on success start a new session and return its token."""
    email = email.strip().lower()[:254]
    address = address[:64]
    if not settings.password_login and email != settings.break_glass_account.strip().lower():
        record_event(
            session, action="login.refused", actor_id=None, detail=f"{email}: passwords off"
        )
        raise PasswordLoginOff
    _one_account_at_a_time(session, email)
    wait = _required_wait(session, settings=settings, email=email, address=address)
    if wait > 0:
        # Answered at once, without hashing: the 429 says as much as any timing could, and
        # the account's lock is not held for a hash per refused attempt (30 parallel tries
        # queued 30 hashes behind it, past the write wait on a busy machine: 503s).
        raise LoginThrottled(wait)
    user = find_user_by_email(session, email=email)
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active or user.id is None:
        session.execute(
            delete(LoginAttempt).where(
                col(LoginAttempt.at) < utcnow() - timedelta(minutes=settings.login_window_minutes)
            )
        )
        session.add(LoginAttempt(email=email, address=address))
        record_event(session, action="login.failed", actor_id=None, detail=email)
        return None
    # The owner's success forgives this address's typos, not failures from elsewhere.
    session.execute(
        delete(LoginAttempt).where(
            col(LoginAttempt.email) == email, col(LoginAttempt.address) == address
        )
    )
    if user.totp_secret:
        challenge = new_token()
        session.execute(
            delete(LoginChallenge).where(
                col(LoginChallenge.created_at) < utcnow() - timedelta(minutes=CHALLENGE_MINUTES)
            )
        )
        session.add(
            LoginChallenge(id_hash=token_digest(challenge), user_id=user.id, address=address)
        )
        record_event(session, action="login.password_ok", actor_id=user.id, detail=address)
        return LoginResult(user=user, challenge_token=challenge)
    method = "setup-two-step" if user.role in two_step_roles(session) else "password"
    token = start_session(session, settings=settings, user=user, method=method, detail=address)
    return LoginResult(user=user, session_token=token)


def start_session(
    session: Session, *, settings: Settings, user: User, method: str, detail: str
) -> str:
    """A new signed-in session for the user (how: `method`); returns the cookie's token."""
    assert user.id is not None
    token = new_token()
    _purge_ended_sessions(session, settings=settings)
    purge_expired_uploads(session)  # kept exports past their 30 minutes
    session.add(UserSession(id_hash=token_digest(token), user_id=user.id, method=method))
    record_event(session, action="login", actor_id=user.id, detail=f"{method}, {detail}")
    return token


def finish_two_step(
    session: Session, *, settings: Settings, challenge: str, code: str
) -> LoginResult | None:
    """The second step: a code from the app, or a recovery code (used up). None: wrong or
    expired; after a few wrong codes the password must be given again."""
    row = session.get(LoginChallenge, token_digest(challenge))
    fresh = row is not None and row.created_at >= utcnow() - timedelta(minutes=CHALLENGE_MINUTES)
    user = session.get(User, row.user_id) if row is not None and fresh else None
    if row is None or user is None or not user.is_active or user.id is None:
        return None
    how = ""
    if accept_code(session, user=user, code=code, settings=settings):
        how = "two-step"
    elif use_recovery_code(session, user_id=user.id, code=code):
        how = "two-step"
        record_event(session, action="two_step.recovery_code", actor_id=user.id)
    if not how:
        # Counted in one update, so parallel guesses each count.
        session.execute(
            update(LoginChallenge)
            .where(col(LoginChallenge.id_hash) == row.id_hash)
            .values(failures=LoginChallenge.failures + 1)
        )
        session.execute(
            delete(LoginChallenge).where(
                col(LoginChallenge.id_hash) == row.id_hash,
                col(LoginChallenge.failures) >= CHALLENGE_TRIES,
            )
        )
        record_event(session, action="login.failed", actor_id=user.id, detail="wrong code")
        return None
    session.execute(delete(LoginChallenge).where(col(LoginChallenge.id_hash) == row.id_hash))
    token = start_session(session, settings=settings, user=user, method=how, detail=row.address)
    return LoginResult(user=user, session_token=token)


def end_sessions(session: Session, *, user_id: int) -> None:
    """Sign the user out everywhere."""
    session.execute(delete(UserSession).where(col(UserSession.user_id) == user_id))


def set_session_method(session: Session, *, token: str, method: str) -> None:
    session.execute(
        update(UserSession)
        .where(col(UserSession.id_hash) == token_digest(token))
        .values(method=method)
    )


def _purge_ended_sessions(session: Session, *, settings: Settings) -> None:
    """Sessions past their idle or absolute limit are refused at lookup; a login clears them
    out (reads never write)."""
    now = utcnow()
    session.execute(
        delete(UserSession).where(
            or_(
                col(UserSession.last_seen_at)
                < now - timedelta(minutes=settings.session_idle_minutes),
                col(UserSession.created_at)
                < now - timedelta(hours=settings.session_absolute_hours),
            )
        )
    )


@dataclass(frozen=True)
class SessionLookup:
    user: User
    # The idle clock is moved on at most once a minute (a write of its own).
    touch_due: bool
    method: str = "password"


_USER_COLUMNS = list(User.__table__.columns)  # type: ignore[attr-defined]
_SESSION_USER = (
    sa_select(
        col(UserSession.created_at).label("session_created"),
        col(UserSession.last_seen_at).label("session_seen"),
        col(UserSession.method).label("session_method"),
        *_USER_COLUMNS,
    )
    .join(User, col(User.id) == col(UserSession.user_id))
    .where(col(UserSession.id_hash) == bindparam("digest"))
)
TOUCH_EVERY = timedelta(minutes=1)


def lookup_session(session: Session, *, settings: Settings, token: str) -> SessionLookup | None:
    """The user behind a session cookie, in one query; None when the session is unknown,
    idle or too old. Reads only."""
    row = session.connection().execute(_SESSION_USER, {"digest": token_digest(token)}).first()
    if row is None:
        return None
    user = User(**{column.name: row._mapping[column] for column in _USER_COLUMNS})
    now = utcnow()
    idle = now - row.session_seen > timedelta(minutes=settings.session_idle_minutes)
    old = now - row.session_created > timedelta(hours=settings.session_absolute_hours)
    if idle or old or not user.is_active:
        return None
    return SessionLookup(
        user, touch_due=now - row.session_seen > TOUCH_EVERY, method=row.session_method
    )


def touch_session(session: Session, *, token: str) -> None:
    """Move a session's idle clock on to now."""
    session.execute(
        update(UserSession)
        .where(col(UserSession.id_hash) == token_digest(token))
        .values(last_seen_at=utcnow())
    )


def log_out(session: Session, *, token: str) -> str | None:
    """End the session server-side so a replayed cookie opens nothing; returns how it had
    been signed in (single sign-on also ends at the provider)."""
    row = session.get(UserSession, token_digest(token))
    if row is None:
        return None
    record_event(session, action="logout", actor_id=row.user_id)
    session.delete(row)
    return row.method
