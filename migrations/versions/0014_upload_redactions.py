"""upload redactions: which columns of an upload were emptied when it was stored, and why

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_uploads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "emptied",
                sqlmodel.sql.sqltypes.AutoString(length=20000),
                nullable=False,
                server_default="{}",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_uploads", schema=None) as batch_op:
        batch_op.drop_column("emptied")
