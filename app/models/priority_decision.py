"""Requests IT cannot take on now: the business owner decides, not IT."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import ConfigDict, EmailStr
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow

DECISION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "with_it": ("awaiting_business",),  # IT still sizing it
    "awaiting_business": ("decided_go", "decided_no", "deferred"),
    "deferred": ("awaiting_business",),
    "decided_go": (),
    "decided_no": (),
}


class PriorityDecision(SQLModel, table=True):
    __tablename__ = "priority_decisions"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64, unique=True)
    visit_id: int | None = Field(default=None, foreign_key="visits.id", ondelete="SET NULL")
    department_id: int = Field(foreign_key="departments.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    owner_role: str = Field(max_length=100)
    owner_email: str = Field(max_length=254)
    capacity: str = Field(default="", max_length=200)
    competes_with: str = Field(default="", max_length=500)
    status: str = Field(default="awaiting_business", max_length=20)
    decision_note: str = Field(default="", max_length=1000)
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PriorityDecisionCreate(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    client_id: UUID
    title: str = Field(min_length=1, max_length=200)
    owner_role: str = Field(min_length=1, max_length=100)
    owner_email: EmailStr
    capacity: str = Field(default="", max_length=200)
    competes_with: str = Field(default="", max_length=500)
    status: Literal["with_it", "awaiting_business"] = "awaiting_business"


class PriorityDecisionStatusChange(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    status: Literal["with_it", "awaiting_business", "decided_go", "decided_no", "deferred"]
    note: str = Field(default="", max_length=1000)


class PriorityDecisionPublic(SQLModel):
    id: int
    client_id: str
    department: str
    title: str
    owner_role: str
    owner_email: str
    capacity: str
    competes_with: str
    status: str
    note: str | None
    age_days: int
    next: list[str]


class PriorityDecisionStatusPublic(SQLModel):
    id: int
    status: str
