"""Settings of the programme an admin changes in the browser (one row), shared by every
worker through the database."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow

MIN_GROUP_SIZE_FLOOR = 3  # below this no figure protects anyone
MIN_GROUP_SIZE_CEILING = 50


class ProgrammeSetting(SQLModel, table=True):
    __tablename__ = "programme_settings"

    id: int = Field(default=1, primary_key=True)
    # None: the deployment's WALKABOUT_MIN_GROUP_SIZE holds.
    min_group_size: int | None = Field(
        default=None, ge=MIN_GROUP_SIZE_FLOOR, le=MIN_GROUP_SIZE_CEILING
    )
    # Roles whose local accounts must sign in in two steps (comma separated; single sign-on
    # leaves that to the identity provider).
    two_step_roles: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
