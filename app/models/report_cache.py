"""Reports already worked out, keyed by everything they depend on (shared by all workers)."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class ReportCache(SQLModel, table=True):
    __tablename__ = "report_cache"

    key: str = Field(primary_key=True, max_length=64)
    survey_id: int = Field(foreign_key="surveys.id", ondelete="CASCADE", index=True)
    payload: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
