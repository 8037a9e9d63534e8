"""Writing many survey responses fast: executemany on SQLite, COPY on PostgreSQL.

Both run on the session's own connection, inside its transaction, so an import stays all
or nothing.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import Session

ResponseRow = tuple[int, int, datetime | None, bool, float | None, str]
COLUMNS = "survey_id, department_id, submitted_at, is_complete, score, ratings"
# Both statements are constants; every value travels as a bound parameter or COPY data.
SQLITE_INSERT = (
    "INSERT INTO survey_responses (survey_id, department_id, submitted_at, is_complete, "
    "score, ratings) VALUES (?, ?, ?, ?, ?, ?)"
)
PG_COPY = f"COPY survey_responses ({COLUMNS}) FROM STDIN"


def ratings_text(ratings: Sequence[float | None]) -> str:
    """The JSON list of 0..100 ratings (null where unanswered), written without json.dumps."""
    return "[" + ",".join("null" if r is None else repr(round(r, 4)) for r in ratings) + "]"


def _sqlite_time(value: datetime | None) -> str | None:
    # The text form SQLAlchemy's SQLite DateTime reads back: naive UTC with microseconds.
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def insert_responses(session: Session, rows: list[ResponseRow]) -> None:
    """Insert response rows in the session's transaction."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            SQLITE_INSERT,
            [(a, b, _sqlite_time(c), int(d), e, f) for a, b, c, d, e, f in rows],
        )
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cursor,
        cursor.copy(PG_COPY) as copy,
    ):
        for row in rows:
            copy.write_row(row)
