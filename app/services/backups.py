"""`walkabout db backup` and `db restore`: SQLite's online backup, pg_dump for PostgreSQL."""

import shutil
import sqlite3

# pg_dump/pg_restore run with argument lists from a fixed tool path, never a shell.
import subprocess  # noqa: S404  # nosec B404
from pathlib import Path

from sqlalchemy.engine import make_url

from app.services.errors import ServiceError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
UPLOADS_TABLE = "survey_uploads"  # raw exports waiting for a preview: left out of backups


def _libpq_url(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise ServiceError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return tool


def backup_database(*, url: str, target: Path) -> int:
    """Write a consistent copy of the live database to `target`; returns its size in bytes."""
    parsed = make_url(url)
    partial = target.with_name(target.name + ".part")
    if parsed.get_backend_name() == "sqlite":
        source = sqlite3.connect(parsed.database or ":memory:")
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)  # online: writers may go on meanwhile
            # Raw survey exports waiting for their preview never go into a backup.
            destination.execute(f"DELETE FROM {UPLOADS_TABLE}")  # noqa: S608  # nosec B608
            destination.commit()
            destination.execute("VACUUM")  # and their bytes leave the file
        finally:
            destination.close()
            source.close()
    else:
        result = subprocess.run(  # noqa: S603  # nosec B603
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--exclude-table-data={UPLOADS_TABLE}",
                f"--file={partial}",
                _libpq_url(url),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            partial.unlink(missing_ok=True)
            raise ServiceError(f"pg_dump failed: {result.stderr.strip().splitlines()[-1]}")
    partial.replace(target)
    return target.stat().st_size


def restore_database(*, url: str, source: Path) -> None:
    """Replace the database's contents with a backup made by `backup_database`."""
    if not source.is_file():
        raise ServiceError(f"{source}: no such file")
    head = source.read_bytes()[:16] if source.stat().st_size < 64 else source.open("rb").read(16)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise ServiceError(f"{source}: not a SQLite backup")
        backup = sqlite3.connect(source)
        live = sqlite3.connect(parsed.database or ":memory:")
        try:
            backup.backup(live)
        finally:
            live.close()
            backup.close()
        return
    if not head.startswith(PG_MAGIC):
        raise ServiceError(f"{source}: not a pg_dump custom-format backup")
    result = subprocess.run(  # noqa: S603  # nosec B603
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_url(url)}",
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise ServiceError(f"pg_restore failed: {result.stderr.strip().splitlines()[-1]}")
