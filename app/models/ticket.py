"""Service desk ticket exports: counts, categories, dates, priorities and SLA outcomes only.

No ticket text, number, caller or agent is kept: a ticket row says which department raised
something of which category when, how urgent it was, when it was resolved and whether the
desk met its SLA. That is all the report needs, and nothing here leads back to a person.
"""

from datetime import date, datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, Index, SQLModel

from app.models.types import UTCDateTime, utcnow


class TicketExportBase(SQLModel):
    name: str = Field(max_length=200, unique=True)
    format: str = Field(max_length=20)
    period_start: date  # the first and last day a kept ticket was opened
    period_end: date
    tickets: int = 0


class TicketExport(TicketExportBase, table=True):
    __tablename__ = "ticket_exports"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str = Field(max_length=255)
    content_hash: str = Field(max_length=64)
    options_hash: str = Field(max_length=64)  # the columns it was read with
    columns: str = Field(default="{}", max_length=5000)  # JSON: field -> column used
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    imported_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class TicketExportPublic(TicketExportBase):
    id: int
    imported_at: datetime


class Ticket(SQLModel, table=True):
    """One ticket, as the report counts it."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_department_id_opened_at", "department_id", "opened_at"),)

    id: int | None = Field(default=None, primary_key=True)
    export_id: int = Field(foreign_key="ticket_exports.id", ondelete="CASCADE", index=True)
    department_id: int = Field(foreign_key="departments.id", ondelete="CASCADE")
    opened_at: datetime = Field(sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    category: str = Field(default="", max_length=200)
    priority: str = Field(default="", max_length=100)
    sla_met: bool | None = None


class TicketCategory(SQLModel, table=True):
    """A ticket category and the theme it counts as (suggested by name, edited by analysts);
    no theme: the category is kept but counts under none."""

    __tablename__ = "ticket_categories"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, unique=True)
    theme_id: int | None = Field(default=None, foreign_key="themes.id", ondelete="SET NULL")
    suggested: bool = True  # True until an analyst has chosen the theme


class TicketUpload(SQLModel, table=True):
    """A ticket export uploaded for the mapping step, kept in the database until imported
    or abandoned, holding only the columns the mapping may use (no text, no names)."""

    __tablename__ = "ticket_uploads"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    file_name: str = Field(max_length=255)
    content: bytes = Field(sa_type=LargeBinary)  # UTF-8 CSV of the kept columns
    content_hash: str = Field(max_length=64)  # of the file as uploaded
    dropped: str = Field(default="[]", max_length=20000)  # JSON: the columns not kept
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
