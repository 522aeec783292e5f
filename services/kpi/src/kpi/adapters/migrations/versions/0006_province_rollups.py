"""province rollups kept up to date

The province roll-up of each indicator, updated from each applied report's change instead of
recomputed from every observation. Created empty: the roll-up worker builds an indicator's row
from its observations the first time it is marked stale.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rollups",
        sa.Column("indicator", sa.String(length=32), nullable=False),
        sa.Column("days", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("indicator"),
        schema="kpi",
    )


def downgrade() -> None:
    op.drop_table("rollups", schema="kpi")
