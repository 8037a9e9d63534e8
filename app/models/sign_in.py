"""Sign-ins under way, kept in the database so any worker or host can finish them."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class OidcLogin(SQLModel, table=True):
    """A single sign-on started here and not yet come back: its `state` (hashed), the
    `nonce` the ID token must carry and the PKCE verifier. Used once, then deleted."""

    __tablename__ = "oidc_logins"

    state_hash: str = Field(primary_key=True, max_length=64)
    nonce: str = Field(max_length=100)
    code_verifier: str = Field(max_length=200)
    next_path: str = Field(default="/", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LoginChallenge(SQLModel, table=True):
    """A password accepted, waiting for the second step (a code from the user's app or a
    recovery code). The browser holds the token; a few wrong codes end it."""

    __tablename__ = "login_challenges"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    address: str = Field(default="", max_length=64)
    failures: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RecoveryCode(SQLModel, table=True):
    """A single-use code for signing in without the authenticator app (its SHA-256)."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64, unique=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
