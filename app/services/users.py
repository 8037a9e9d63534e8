"""Users: creation, roles, deactivation, passwords, lookup and API tokens."""

import secrets

from pydantic import ValidationError
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.models import ApiToken, Role, User, UserCreate, UserSession
from app.models.types import utcnow
from app.security import hash_password, new_token, token_digest, verify_password
from app.services.audit import record_event
from app.services.errors import ConflictError, NotFoundError, ServiceError


def create_user(
    session: Session,
    *,
    email: str,
    role: str,
    password: str,
    actor_id: int | None = None,
    must_change_password: bool = False,
) -> User:
    """Create a login; refuses a duplicate e-mail, an unknown role or a short password."""
    try:
        data = UserCreate(email=email, role=role, password=password)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        if field == "role":
            raise ServiceError(
                f"unknown role {role!r} (choose one of {', '.join(r.value for r in Role)})"
            ) from exc
        if field == "password":
            raise ServiceError("password must be at least 12 characters") from exc
        raise ServiceError(f"{field}: {first['msg']}") from exc
    normalised = data.email.strip().lower()
    if find_user_by_email(session, email=normalised) is not None:
        raise ConflictError(f"a user with e-mail {normalised} already exists")
    user = User(
        email=normalised,
        role=data.role.value,
        password_hash=hash_password(data.password),
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    record_event(session, action="user.create", actor_id=actor_id, detail=f"{normalised} as {role}")
    session.flush()
    return user


def find_user_by_email(session: Session, *, email: str) -> User | None:
    """The user with this e-mail (case-insensitive), if any."""
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def list_users(session: Session) -> list[User]:
    """Every user, by e-mail."""
    return list(session.exec(select(User).order_by(User.email)))  # type: ignore[arg-type]


_OWNERS = (
    select(col(User.email)).where(col(User.role).in_(("leader", "admin"))).order_by(User.email)
)


def action_owner_emails(session: Session) -> list[str]:
    """Who may own a follow-up action (leaders and admins), by e-mail."""
    return list(session.connection().execute(_OWNERS).scalars())


def create_api_token(session: Session, *, email: str) -> str:
    """Make a personal API token for the user; only its hash is stored."""
    user = find_user_by_email(session, email=email)
    if user is None or user.id is None:
        raise NotFoundError(f"no user with e-mail {email.strip().lower()}")
    token = new_token()
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token)))
    record_event(session, action="token.create", actor_id=user.id, detail=user.email)
    session.flush()
    return token


def user_for_api_token(session: Session, *, token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    row = session.exec(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)  # type: ignore[arg-type]
        .where(ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
    ).first()
    if row is None or not row[1].is_active:
        return None
    return row[1]


def revoke_api_tokens(session: Session, *, email: str) -> int:
    """Revoke every token of a user; returns how many were live."""
    user = find_user_by_email(session, email=email)
    if user is None:
        raise NotFoundError(f"no user with e-mail {email.strip().lower()}")
    tokens = session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
    ).all()
    for token in tokens:
        token.revoked_at = utcnow()
        session.add(token)
    record_event(session, action="token.revoke", actor_id=user.id, detail=f"{len(tokens)} tokens")
    session.flush()
    return len(tokens)


def one_time_password() -> str:
    """A password for an admin to hand over once (the user replaces it at first sign-in)."""
    return secrets.token_urlsafe(12)  # 16 characters, 72 bits


def get_user(session: Session, *, user_id: int) -> User:
    """The user with this id, or NotFoundError."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user with id {user_id}")
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return session.exec(
        select(func.count()).where(
            col(User.role) == "admin", col(User.is_active), col(User.id) != user.id
        )
    ).one()


def _end_sessions(session: Session, user: User, *, keep_token: str | None = None) -> None:
    """End the user's sessions at once (all, or all but the one making the change)."""
    query = delete(UserSession).where(col(UserSession.user_id) == user.id)
    if keep_token is not None:
        query = query.where(col(UserSession.id_hash) != token_digest(keep_token))
    session.execute(query)


def change_role(session: Session, *, user_id: int, role: str, actor_id: int | None) -> User:
    """Give a user another role, from their next request on; the last admin keeps theirs."""
    user = get_user(session, user_id=user_id)
    if role not in {r.value for r in Role}:
        raise ServiceError(
            f"unknown role {role!r} (choose one of {', '.join(r.value for r in Role)})"
        )
    if user.role == role:
        return user
    if user.role == "admin" and user.is_active and not _other_active_admins(session, user):
        raise ConflictError(f"{user.email} is the only active admin: make another admin first")
    record_event(
        session,
        action="user.role",
        actor_id=actor_id,
        detail=f"{user.email}: {user.role} to {role}",
    )
    user.role = role
    session.add(user)
    session.flush()
    return user


def set_user_active(session: Session, *, user_id: int, active: bool, actor_id: int | None) -> User:
    """Deactivate a login (its sessions and API tokens end at once) or let it back in."""
    user = get_user(session, user_id=user_id)
    if user.is_active == active:
        return user
    if not active and user.role == "admin" and not _other_active_admins(session, user):
        raise ConflictError(f"{user.email} is the only active admin: make another admin first")
    user.is_active = active
    session.add(user)
    if not active:
        _end_sessions(session, user)
        for token in session.exec(
            select(ApiToken).where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
        ):
            token.revoked_at = utcnow()
            session.add(token)
    action = "user.activate" if active else "user.deactivate"
    record_event(session, action=action, actor_id=actor_id, detail=user.email)
    session.flush()
    return user


def reset_password(session: Session, *, user_id: int, actor_id: int | None) -> str:
    """Give a user a one-time password (returned, to hand over once): their sessions end and
    they choose their own at the next sign-in."""
    user = get_user(session, user_id=user_id)
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    session.add(user)
    _end_sessions(session, user)
    record_event(session, action="user.password_reset", actor_id=actor_id, detail=user.email)
    session.flush()
    return password


def change_password(
    session: Session, *, user_id: int, current: str, new: str, confirm: str, keep_token: str
) -> dict[str, str]:
    """Change one's own password; returns the problems by field (nothing changed) or {}.
    Other sessions of the user end; the one making the change stays."""
    user = get_user(session, user_id=user_id)
    problems = {}
    if not verify_password(current, user.password_hash):
        problems["current"] = "This is not your current password."
    if len(new) < 12:
        problems["new"] = "Choose at least 12 characters."
    elif new == current:
        problems["new"] = "Choose a password other than the current one."
    elif new != confirm:
        problems["confirm"] = "The two new passwords differ."
    if problems:
        return problems
    user.password_hash = hash_password(new)
    user.must_change_password = False
    session.add(user)
    _end_sessions(session, user, keep_token=keep_token)
    record_event(session, action="user.password_change", actor_id=user.id, detail=user.email)
    session.flush()
    return {}
