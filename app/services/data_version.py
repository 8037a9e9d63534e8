"""The data version: a number that moves on whenever data a cached page is built from changes.

Triggers on every table outside `UNTRACKED_TABLES` add one to a counter in `data_versions` in
the writing transaction itself, so every writer (the app, the command line, an import, SQL
typed by hand) moves it and a rolled-back write does not. A reader takes the version before
it reads the data: what it then reads is at least that new, so a page kept under that version
is never older than the version says. PostgreSQL writers add to the row of their own backend
(`SHARDS` rows) so that concurrent writers do not all queue on one row's lock.
"""

import re
import secrets

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from app.models import DataVersion

SHARDS = 8
# Tables no cached page reads and that are written per request or per survey answer: a write
# there must not throw every page away.
UNTRACKED_TABLES = frozenset(
    {
        "alembic_version",
        "api_tokens",
        "audit_events",
        "data_versions",
        "login_attempts",
        "report_cache",
        "survey_responses",
        "survey_uploads",
        "user_sessions",
    }
)
_PG_FUNCTION = "data_version_bump"
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def version_query():  # type: ignore[no-untyped-def]
    """The version as a scalar subquery: NULL when the table is empty (then nothing caches)."""
    return select(func.sum(DataVersion.version)).scalar_subquery()


_SQLITE_OPS = ("insert", "update", "delete")


def trigger_names(table: str, dialect: str) -> list[str]:
    """The names of `table`'s triggers: one on PostgreSQL, one per change on SQLite."""
    if dialect == "postgresql":
        return [f"data_version_{table}"]
    return [f"data_version_{table}_{op}" for op in _SQLITE_OPS]


def create_function_sql(dialect: str) -> list[str]:
    """What every trigger calls (PostgreSQL); SQLite triggers carry their statement."""
    if dialect != "postgresql":
        return []
    return [
        # Fixed names and numbers only, no input.
        f"CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"  # noqa: S608  # nosec B608
        "BEGIN\n"
        "  UPDATE data_versions SET version = version + 1\n"
        f"  WHERE shard = pg_backend_pid() % {SHARDS};\n"
        "  RETURN NULL;\n"
        "END $$"
    ]


def create_triggers_sql(table: str, dialect: str) -> list[str]:
    """Triggers that move the version on every change to `table` (a name from the code)."""
    if not _IDENTIFIER.fullmatch(table):
        raise ValueError(f"not a table name: {table!r}")
    names = trigger_names(table, dialect)
    if dialect == "postgresql":
        # Once per statement, however many rows it touches (COPY and TRUNCATE included).
        return [
            f"CREATE TRIGGER {names[0]} "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {_PG_FUNCTION}()"
        ]
    # SQLite has row triggers only; its writers are one at a time, so one row will do.
    return [
        f"CREATE TRIGGER {name} AFTER {op.upper()} ON {table} "  # noqa: S608  # nosec B608
        "BEGIN UPDATE data_versions SET version = version + 1 WHERE shard = 0; END"
        for name, op in zip(names, _SQLITE_OPS, strict=True)
    ]


def drop_triggers_sql(table: str, dialect: str) -> list[str]:
    on_table = f" ON {table}" if dialect == "postgresql" else ""
    return [f"DROP TRIGGER IF EXISTS {name}{on_table}" for name in trigger_names(table, dialect)]


def installed_triggers(connection: Connection) -> set[str]:
    """Names of the data-version triggers the database holds."""
    if connection.dialect.name == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE :pattern"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE :pattern"
    return {row[0] for row in connection.execute(text(sql), {"pattern": "data_version_%"})}


def jump_data_version(connection: Connection) -> None:
    """Move the version far on by a random step. After a restore the counters are the
    backup's, lower than a running app has seen: the jump keeps them from counting up to a
    number it has kept pages under for other data."""
    step = secrets.randbelow(2**40) + 2**32
    connection.execute(
        DataVersion.__table__.update()  # type: ignore[attr-defined]
        .where(DataVersion.__table__.c.shard == 0)  # type: ignore[attr-defined]
        .values(version=DataVersion.__table__.c.version + step)  # type: ignore[attr-defined]
    )


def read_data_version(connection: Connection) -> int | None:
    """The version now (None when the counters are missing)."""
    value = connection.execute(select(version_query())).scalar_one()
    return None if value is None else int(value)
