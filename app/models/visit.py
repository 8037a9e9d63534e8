"""Walkabout visits: one leader, one department, one day, many conversations."""

from datetime import date, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from pydantic import ConfigDict, StringConstraints, field_validator
from sqlmodel import Field, Index, SQLModel

from app.models.idea import IdeaCreate
from app.models.priority_decision import PriorityDecisionCreate
from app.models.types import UTCDateTime, utcnow


class Visit(SQLModel, table=True):
    __tablename__ = "visits"
    # Not unique by (date, department, leader): a leader may walk one place twice a day.
    __table_args__ = (Index("ix_visits_department_id_visit_date", "department_id", "visit_date"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: str | None = Field(default=None, max_length=64, unique=True)
    department_id: int = Field(foreign_key="departments.id", ondelete="CASCADE")
    leader_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", index=True
    )
    leader_name: str = Field(max_length=254)
    visit_date: date
    location: str | None = Field(default=None, max_length=200)
    manager_present: bool | None = None
    setting: str | None = Field(default=None, max_length=20)  # private | open
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visits.id", ondelete="CASCADE", index=True)
    position: int = 0
    person_role: str = Field(max_length=100)
    stated_score: int | None = Field(default=None, ge=1, le=5)
    observed_score: int = Field(ge=1, le=5)
    unreported: int = Field(default=0, ge=0)
    end_run: bool = False
    notes: str = Field(default="", max_length=4000)
    expectation_mismatch: bool = False
    expected: str = Field(default="", max_length=500)  # what the person expected
    service_id: int | None = Field(
        default=None, foreign_key="service_entries.id", ondelete="SET NULL"
    )
    teaching: str = Field(default="", max_length=500)  # what the leader showed
    taught_people: int = Field(default=0, ge=0)


class ConversationTheme(SQLModel, table=True):
    __tablename__ = "conversation_themes"

    conversation_id: int = Field(
        foreign_key="conversations.id", primary_key=True, ondelete="CASCADE"
    )
    theme_id: int = Field(foreign_key="themes.id", primary_key=True, ondelete="CASCADE")


ACTION_FINISHED = ("done", "cant_do")  # an action's statuses that end it: completed_at is set


class Action(SQLModel, table=True):
    """A follow-up action from a walk, with an owner and a due date."""

    __tablename__ = "actions"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visits.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    owner_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", index=True
    )
    owner_email: str = Field(max_length=254)
    due_date: date | None = None
    status: str = Field(default="open", max_length=20)  # open | in_progress | done | cant_do
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class VisitEdit(SQLModel, table=True):
    """History of a walk: who changed what, when."""

    __tablename__ = "visit_edits"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visits.id", ondelete="CASCADE", index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    changes: str = Field(max_length=20000)  # JSON


class LeaderDepartment(SQLModel, table=True):
    """Departments a leader is assigned to (they see all walks there)."""

    __tablename__ = "leader_departments"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    department_id: int = Field(foreign_key="departments.id", primary_key=True, ondelete="CASCADE")


# Request bodies: never the table models (no mass assignment of ids or owners).
class ConversationCreate(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    person_role: str = Field(min_length=1, max_length=100)
    stated_score: int | None = Field(default=None, ge=1, le=5)
    observed_score: int = Field(ge=1, le=5)
    issues: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20
    )
    unreported: int = Field(default=0, ge=0, le=100)
    end_run: bool = False
    notes: str = Field(default="", max_length=4000)
    expectation_mismatch: bool = False
    expected: str = Field(default="", max_length=500)
    service: str | None = Field(default=None, max_length=100)
    teaching: str = Field(default="", max_length=500)
    taught_people: int = Field(default=0, ge=0, le=1000)
    ideas: list[IdeaCreate] = Field(default_factory=list, max_length=10)

    @field_validator("person_role")
    @classmethod
    def _role_not_blank(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("the person's role is empty")
        if "@" in value:
            raise ValueError(
                "the person's role looks like an e-mail address: write their role, never who"
                " they are"
            )
        return value


class ActionCreate(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    title: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=3, max_length=254)
    due_date: date | None = None
    status: Literal["open", "in_progress", "done", "cant_do"] = "open"


class VisitCreate(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    client_id: UUID
    department: str = Field(min_length=1, max_length=200)
    visit_date: date
    location: str | None = Field(default=None, max_length=200)
    manager_present: bool | None = None
    setting: Literal["private", "open"] | None = None
    conversations: list[ConversationCreate] = Field(min_length=1, max_length=50)
    actions: list[ActionCreate] = Field(default_factory=list, max_length=20)
    priority_decisions: list[PriorityDecisionCreate] = Field(default_factory=list, max_length=10)

    @field_validator("visit_date")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > date.today() + timedelta(days=1):  # a day of slack for time zones
            raise ValueError("the visit date is in the future")
        return value


class ConversationPublic(SQLModel):
    """A conversation as the API shows it; the free-text fields are left out for callers who
    may not read them (analysts)."""

    person_role: str
    stated_score: int | None
    observed_score: int
    issues: list[str]
    unreported: int
    end_run: bool
    expectation_mismatch: bool
    service: str | None
    taught_people: int
    notes: str | None = None
    expected: str | None = None
    teaching: str | None = None


class ActionPublic(SQLModel):
    id: int
    title: str
    owner: str
    due_date: date | None
    status: str


class VisitPublic(SQLModel):
    id: int
    client_id: str | None  # None for walks backfilled from a spreadsheet
    department: str | None
    visit_date: date
    leader: str
    location: str | None
    manager_present: bool | None
    setting: str | None
    conversations: list[ConversationPublic]
    actions: list[ActionPublic]


class ActionListed(ActionPublic):
    """An action in the actions list: with its walk and department."""

    visit_id: int
    department: str


class ActionStatusChange(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    status: Literal["open", "in_progress", "done", "cant_do"]
