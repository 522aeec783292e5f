"""indicator codes up to 32 characters

The catalogue names indicators of up to 32 characters (INDICATOR_CODE_MAX); these columns held 10, so a
weekly Youth Union report (lop_hoc_thon, 12) failed with "value too long" and was dead-lettered.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("alert_state", "violations", "alert_items")


def upgrade() -> None:
    for table in TABLES:
        op.alter_column(
            table,
            "indicator",
            type_=sa.String(length=32),
            existing_type=sa.String(length=10),
            existing_nullable=False,
            schema="notifier",
        )


def downgrade() -> None:
    for table in TABLES:
        op.alter_column(
            table,
            "indicator",
            type_=sa.String(length=10),
            existing_type=sa.String(length=32),
            existing_nullable=False,
            schema="notifier",
        )
