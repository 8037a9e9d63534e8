"""Server-side login sessions: the cookie holds a random id, the table its hash."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class UserSession(SQLModel, table=True):
    __tablename__ = "user_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # How it was signed in: password, two-step (password and a code), oidc, or
    # setup-two-step (a password, in a role that needs two-step: set it up before anything).
    method: str = Field(
        default="password", max_length=20, sa_column_kwargs={"server_default": "password"}
    )
