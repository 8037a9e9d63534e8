"""Writing many survey responses fast: executemany on SQLite, COPY on PostgreSQL.

Both run on the session's own connection, inside its transaction, so an import stays all
or nothing.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from sqlmodel import Session

from app.ingest.survey_counts import ResponseRow

COLUMNS = "survey_id, department_id, submitted_at, is_complete, score, ratings"
# Both statements are constants; every value travels as a bound parameter or COPY data.
SQLITE_INSERT = (
    "INSERT INTO survey_responses (survey_id, department_id, submitted_at, is_complete, "
    "score, ratings) VALUES (?, ?, ?, ?, ?, ?)"
)
PG_COPY = f"COPY survey_responses ({COLUMNS}) FROM STDIN"


def _copy_line(row: ResponseRow) -> str:
    # COPY's text format: tab-separated, \N for null. No value here holds a tab, newline or
    # backslash (numbers, fixed-form times, the ratings list), so none needs escaping.
    survey_id, department_id, submitted, complete, score, ratings = row
    when = r"\N" if submitted is None else submitted + "+00"
    points = r"\N" if score is None else repr(score)
    return (
        f"{survey_id}\t{department_id}\t{when}\t{'t' if complete else 'f'}\t{points}\t{ratings}\n"
    )


@contextmanager
def response_writer(session: Session) -> Iterator[Callable[[Iterable[ResponseRow]], None]]:
    """A function that inserts response rows in the session's transaction. On PostgreSQL one
    COPY stays open for the whole import, so the server stores one chunk while the next is
    being read (a COPY per chunk would wait for each)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":

        def execute(rows: Iterable[ResponseRow]) -> None:
            connection.exec_driver_sql(SQLITE_INSERT, list(rows))

        yield execute
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(PG_COPY) as copy:

        def send(rows: Iterable[ResponseRow]) -> None:
            copy.write("".join(map(_copy_line, rows)))

        yield send
