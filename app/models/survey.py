"""Survey rounds, the headcounts frozen with them, their responses and saved mappings."""

from datetime import date, datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, Index, SQLModel

from app.models.types import UTCDateTime, utcnow


class SurveyBase(SQLModel):
    name: str = Field(max_length=200, unique=True)
    round_date: date


class Survey(SurveyBase, table=True):
    __tablename__ = "surveys"

    id: int | None = Field(default=None, primary_key=True)
    format: str = Field(max_length=20)
    file_name: str = Field(max_length=255)
    content_hash: str = Field(max_length=64)
    # The options the file was read with (format, columns, scales, date): the same file
    # under changed options is read again.
    options_hash: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    imported_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    questions: str = Field(default="[]", max_length=20000)  # JSON: question label and scale
    responses: int = 0
    partials: int = 0
    previews: int = 0
    skipped_rows: int = 0
    # JSON list of what the import warned of: departments with more responses than headcount.
    warnings: str = Field(default="[]", max_length=20000, sa_column_kwargs={"server_default": "[]"})
    # A round is a draft (analysts and admins only) until an analyst publishes it; then
    # executives see it too. Replacing its file keeps it as it was.
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class SurveyPublic(SurveyBase):
    id: int
    format: str
    responses: int
    partials: int
    imported_at: datetime
    published_at: datetime | None = None


class SurveyDepartment(SQLModel, table=True):
    """The headcount a survey was sent to, frozen when it was imported."""

    __tablename__ = "survey_departments"

    survey_id: int = Field(foreign_key="surveys.id", primary_key=True, ondelete="CASCADE")
    department_id: int = Field(foreign_key="departments.id", primary_key=True, ondelete="CASCADE")
    headcount: int = Field(ge=0)


class SurveyResponse(SQLModel, table=True):
    """One respondent: department, when, complete or partial, and ratings on 0..100.

    Nothing that identifies the person (IP, e-mail, name, free text) is kept.
    """

    __tablename__ = "survey_responses"
    __table_args__ = (
        Index("ix_survey_responses_survey_id_department_id", "survey_id", "department_id"),
    )

    # No foreign keys here, by choice: a database checks one per row, which was two thirds
    # of PostgreSQL's time to store a million responses. The import is the only writer: it
    # takes the survey it just wrote and departments it holds locked (FOR KEY SHARE) until
    # it commits, and replacing a survey deletes its responses first.
    id: int | None = Field(default=None, primary_key=True)
    survey_id: int
    department_id: int
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_complete: bool = True
    score: float | None = None
    ratings: str | None = Field(default=None, max_length=4000)  # JSON list, 0..100 or null


class SurveyMapping(SQLModel, table=True):
    """A column mapping saved by an analyst, offered again for files of the same shape."""

    __tablename__ = "survey_mappings"

    id: int | None = Field(default=None, primary_key=True)
    signature: str = Field(max_length=64, unique=True)
    mapping: str = Field(max_length=20000)  # JSON of SurveyImportOptions fields
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SurveyUpload(SQLModel, table=True):
    """A file uploaded for preview, kept in the database (not on one worker's disk) until
    it is imported or abandoned."""

    __tablename__ = "survey_uploads"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    file_name: str = Field(max_length=255)
    content: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # JSON: the columns emptied before the file was stored, and why (who answered, free text)
    emptied: str = Field(default="{}", max_length=20000, sa_column_kwargs={"server_default": "{}"})


class SurveyAnswerCount(SQLModel, table=True):
    """How many complete responses' answers fell on each value, per department: counted at
    import so the report need not unpack every response's ratings."""

    __tablename__ = "survey_answer_counts"

    survey_id: int = Field(foreign_key="surveys.id", primary_key=True, ondelete="CASCADE")
    department_id: int = Field(foreign_key="departments.id", primary_key=True, ondelete="CASCADE")
    value: float = Field(primary_key=True)
    count: int = Field(ge=0)


class SurveyScoreCount(SQLModel, table=True):
    """How many responses share a department, completeness, submission wave and score:
    counted at import (waves as `analysis.response_counts` defines them) so the report reads
    a few thousand rows, not every response."""

    __tablename__ = "survey_score_counts"

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="surveys.id", ondelete="CASCADE", index=True)
    department_id: int = Field(foreign_key="departments.id", ondelete="CASCADE")
    is_complete: bool
    wave: int = Field(ge=0, le=3)
    score: float | None = None
    count: int = Field(ge=1)
