"""The walk programme: who walks where and how often, reminders sent, calendar feeds."""

from datetime import date, datetime

from pydantic import ConfigDict, EmailStr
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class Schedule(SQLModel, table=True):
    """A department walked every `every_days` from `starts_on`; each occurrence is open for
    `window_days` from its first day."""

    __tablename__ = "schedules"

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="departments.id", index=True, ondelete="CASCADE")
    every_days: int = Field(ge=1, le=366)
    window_days: int = Field(ge=1, le=366)
    starts_on: date
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class ScheduleLeader(SQLModel, table=True):
    """A leader who shares a schedule: a walk by any of them does the occurrence."""

    __tablename__ = "schedule_leaders"

    schedule_id: int = Field(foreign_key="schedules.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")


class ScheduleCreate(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    department: str = Field(min_length=1, max_length=200)
    leaders: list[EmailStr] = Field(min_length=1, max_length=50)
    every_days: int = Field(ge=1, le=366)
    window_days: int = Field(ge=1, le=366)
    starts_on: date


class OccurrencePublic(SQLModel):
    due_from: date
    due_until: date
    status: str  # upcoming | due | overdue | missed | done
    visit_id: int | None = None


class SchedulePublic(SQLModel):
    id: int
    department: str
    leaders: list[str]
    every_days: int
    window_days: int
    starts_on: date
    next: OccurrencePublic | None = None


class ReminderSent(SQLModel, table=True):
    """One reminder to one person for one item and period: claimed before sending (one
    host wins the insert), marked sent once the mail server accepted it, and the claim
    dropped when it did not, so the next run tries again."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("kind", "user_id", "item", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # digest | action_overdue
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    item: str = Field(max_length=100)
    period: str = Field(max_length=20)
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CalendarFeed(SQLModel, table=True):
    """A leader's private calendar address: the token's hash; a new one revokes the old."""

    __tablename__ = "calendar_feeds"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
