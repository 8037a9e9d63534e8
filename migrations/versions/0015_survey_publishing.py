"""survey publishing: a round is a draft until an analyst publishes it

Rounds imported before this release were already shown to executives: they stay published.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("published_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_surveys_published_by_users"),
            "users",
            ["published_by"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute("UPDATE surveys SET published_at = imported_at")


def downgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_surveys_published_by_users"), type_="foreignkey")
        batch_op.drop_column("published_by")
        batch_op.drop_column("published_at")
