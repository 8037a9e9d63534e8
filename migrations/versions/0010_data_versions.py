"""data versions: counters that triggers move on every change a cached page could show

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 23:55:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.data_version import (
    SHARDS,
    create_function_sql,
    create_triggers_sql,
    drop_triggers_sql,
)

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables as they stand at this revision; a later migration that adds a table a page
# reads adds its triggers (tests/test_page_cache.py checks that every such table has them).
TRACKED = (
    "actions",
    "conversation_themes",
    "conversations",
    "departments",
    "ideas",
    "leader_departments",
    "priority_decisions",
    "service_entries",
    "survey_answer_counts",
    "survey_departments",
    "survey_mappings",
    "survey_score_counts",
    "surveys",
    "themes",
    "users",
    "visit_edits",
    "visits",
)


def upgrade() -> None:
    table = op.create_table(
        "data_versions",
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shard", name=op.f("pk_data_versions")),
    )
    # A random start: a database made again from nothing (while an app still runs on it)
    # does not count up through the numbers the old one had pages kept under.
    start = secrets.randbelow(2**40) + 2**32
    op.bulk_insert(
        table, [{"shard": n, "version": start if n == 0 else 0} for n in range(SHARDS)]
    )
    dialect = op.get_bind().dialect.name
    for statement in create_function_sql(dialect):
        op.execute(statement)
    for name in TRACKED:
        for statement in create_triggers_sql(name, dialect):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in TRACKED:
        for statement in drop_triggers_sql(name, dialect):
            op.execute(statement)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS data_version_bump()")
    op.drop_table("data_versions")
