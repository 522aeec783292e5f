"""report receipts (completeness)

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_receipts",
        sa.Column("unit_code", sa.String(length=5), nullable=False),
        sa.Column("form", sa.String(length=50), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("first_revision", sa.Integer(), nullable=False),
        sa.Column("first_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latest_revision", sa.Integer(), nullable=False),
        sa.Column("latest_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("unit_code", "form", "period"),
        schema="kpi",
    )


def downgrade() -> None:
    op.drop_table("report_receipts", schema="kpi")
