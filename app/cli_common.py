"""What every `walkabout` command shares: the database option, one-line errors, one unit of
work per command."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from app.db import DatabaseURLError, get_engine, normalise_url, unit_of_work
from app.ingest.row_errors import ImportRefused
from app.ingest.tabular import FileFormatError
from app.services.errors import ServiceError
from app.settings import get_settings

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Database URL (default: WALKABOUT_DATABASE_URL or a SQLite file under ./data/)",
    ),
]


def fail(message: str) -> None:
    """Print one clear error line and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def resolve_url(database_url: str | None) -> str:
    try:
        return normalise_url(database_url or get_settings().database_url)
    except DatabaseURLError as exc:
        fail(str(exc))
        raise  # unreachable; keeps type checkers content


@contextmanager
def database(database_url: str | None, *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work on the chosen database (committed when the command's work ends), or
    a read-only session; known errors become one-line messages and nothing is written."""
    url = resolve_url(database_url)
    try:
        with unit_of_work(get_engine(url, read_only=read_only)) as session:
            yield session
    except ImportRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from exc
    except (ServiceError, FileFormatError) as exc:
        fail(str(exc))
    except (OperationalError, ProgrammingError) as exc:
        first_line = str(exc.orig).splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        fail(f"database error: {first_line} (has `walkabout db upgrade` been run?)")
