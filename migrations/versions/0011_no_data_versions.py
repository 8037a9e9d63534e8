"""no data versions: the page cache is gone, and with it the counters and their triggers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 21:00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table 0010 put triggers on.
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
_SQLITE_OPS = ("insert", "update", "delete")
SHARDS = 8


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in TRACKED:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{name} ON {name}")
        else:
            for change in _SQLITE_OPS:
                op.execute(f"DROP TRIGGER IF EXISTS data_version_{name}_{change}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS data_version_bump()")
    op.drop_table("data_versions")


def downgrade() -> None:
    table = op.create_table(
        "data_versions",
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shard", name=op.f("pk_data_versions")),
    )
    start = secrets.randbelow(2**40) + 2**32
    op.bulk_insert(table, [{"shard": n, "version": start if n == 0 else 0} for n in range(SHARDS)])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  UPDATE data_versions SET version = version + 1\n"
            f"  WHERE shard = pg_backend_pid() % {SHARDS};\n"
            "  RETURN NULL;\n"
            "END $$"
        )
    for name in TRACKED:
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER data_version_{name} "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {name} "
                "FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump()"
            )
            continue
        for change in _SQLITE_OPS:
            op.execute(
                f"CREATE TRIGGER data_version_{name}_{change} AFTER {change.upper()} ON {name} "
                "BEGIN UPDATE data_versions SET version = version + 1 WHERE shard = 0; END"
            )
