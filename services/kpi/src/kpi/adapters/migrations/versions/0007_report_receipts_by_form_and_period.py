"""report receipts by form and period

Completeness reads the receipts of one form and period at each new report. The primary key begins
with the unit, so that read scanned the whole table (a row per report ever received: 2 328 rows read
630 times in four months of `make demo`, and growing by about 8 000 rows a year).

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_report_receipts_form_period", "report_receipts", ["form", "period"], unique=False, schema="kpi"
    )


def downgrade() -> None:
    op.drop_index("ix_report_receipts_form_period", table_name="report_receipts", schema="kpi")
