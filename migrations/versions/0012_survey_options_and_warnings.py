"""survey options and warnings: a file re-imports when its options change, and an import
keeps what it warned of (more responses than headcount)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "options_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "warnings",
                sqlmodel.sql.sqltypes.AutoString(length=20000),
                nullable=False,
                server_default="[]",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_column("warnings")
        batch_op.drop_column("options_hash")
