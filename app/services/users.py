"""Users: creation, lookup and API tokens."""

from pydantic import ValidationError
from sqlmodel import Session, select

from app.models import ApiToken, Role, User, UserCreate
from app.models.types import utcnow
from app.security import hash_password, new_token, token_digest
from app.services.audit import record_event
from app.services.errors import ConflictError, NotFoundError, ServiceError


def create_user(session: Session, *, email: str, role: str, password: str) -> User:
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
    user = User(email=normalised, role=data.role.value, password_hash=hash_password(data.password))
    session.add(user)
    session.flush()
    record_event(session, action="user.create", actor_id=None, detail=f"{normalised} as {role}")
    session.flush()
    return user


def find_user_by_email(session: Session, *, email: str) -> User | None:
    """The user with this e-mail (case-insensitive), if any."""
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def list_users(session: Session) -> list[User]:
    """Every user, by e-mail."""
    return list(session.exec(select(User).order_by(User.email)))  # type: ignore[arg-type]


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
