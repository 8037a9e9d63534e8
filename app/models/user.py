"""Logins and their roles."""

from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, EmailStr
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class Role(StrEnum):
    leader = "leader"
    analyst = "analyst"
    executive = "executive"
    admin = "admin"


class UserBase(SQLModel):
    email: str = Field(max_length=254, unique=True, index=True)
    role: str = Field(max_length=20)


class User(UserBase, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set when an admin chose the password (a new login, a reset): the user picks their own
    # before any page opens, so the admin never knows a password in use.
    must_change_password: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # Who the organisation's identity provider says this is (issuer and subject), once they
    # signed in with it; such a user has no password here unless an admin gives one.
    oidc_subject: str | None = Field(default=None, max_length=600, unique=True)
    # Two-step sign-in (TOTP, RFC 6238): the shared secret, encrypted with the app's secret
    # key, and the last time step a code was accepted for (a code works once).
    totp_secret: str | None = Field(default=None, max_length=500)
    totp_last_step: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The person turned reminder e-mails off.
    reminders_off: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class UserCreate(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    email: EmailStr
    role: Role
    password: str = Field(min_length=12, max_length=256)


class UserPublic(UserBase):
    id: int
