"""A survey import running in the background: its state lives in the database, so any
worker can show its progress and the analyst can leave the page and come back."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_jobs"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    upload_id: str = Field(max_length=64)
    survey_name: str = Field(max_length=200)
    file_name: str = Field(max_length=255)
    options: str = Field(max_length=20000)  # JSON: the mapping the analyst chose
    remember: bool = False
    status: str = Field(default="queued", max_length=20)  # queued|running|done|refused|failed
    done_rows: int = 0
    total_rows: int = 0
    message: str = Field(default="", max_length=100000)  # the summary, or why it was refused
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
