"""SMS delivery receipts: the gateway's report on each sent SMS

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("delivery_status", sa.String(12)), schema="notifier")
    op.add_column(
        "notifications", sa.Column("delivery_reported_at", sa.DateTime(timezone=True)), schema="notifier"
    )


def downgrade() -> None:
    op.drop_column("notifications", "delivery_reported_at", schema="notifier")
    op.drop_column("notifications", "delivery_status", schema="notifier")
