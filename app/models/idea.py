"""Ideas people raise on a walk, and their life from "new" to delivered or declined."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import ConfigDict
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow

# Where an idea may go next; delivered and declined are final.
IDEA_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("exploring", "declined"),
    "exploring": ("awaiting_priority", "planned", "declined"),
    "awaiting_priority": ("exploring", "planned", "declined"),
    "planned": ("delivered", "declined"),
    "delivered": (),
    "declined": (),
}


class Idea(SQLModel, table=True):
    __tablename__ = "ideas"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64, unique=True)
    visit_id: int | None = Field(default=None, foreign_key="visits.id", ondelete="SET NULL")
    department_id: int = Field(foreign_key="departments.id", ondelete="CASCADE", index=True)
    what: str = Field(max_length=500)
    benefit: str = Field(default="", max_length=1000)
    who_else: str = Field(default="", max_length=500)
    status: str = Field(default="new", max_length=20)
    reason: str = Field(default="", max_length=1000)  # why declined, told back to the people
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IdeaCreate(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    client_id: UUID
    what: str = Field(min_length=1, max_length=500)
    benefit: str = Field(default="", max_length=1000)
    who_else: str = Field(default="", max_length=500)


class IdeaStatusChange(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    status: Literal["new", "exploring", "awaiting_priority", "planned", "delivered", "declined"]
    reason: str = Field(default="", max_length=1000)


class IdeaPublic(SQLModel):
    """An idea as listed; the people's own words (benefit, who else, reason) are left out for
    executives."""

    id: int
    client_id: str
    department: str
    what: str
    status: str
    created_at: str
    next: list[str]
    benefit: str | None = None
    who_else: str | None = None
    reason: str | None = None


class IdeaStatusPublic(SQLModel):
    id: int
    status: str
    reason: str
