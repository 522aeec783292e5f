"""The outbox's rows of one transaction in the order they were inserted

Revision ID: 0008
Revises: 0007

The relay publishes by `created_at`, whose default was `now()`: the transaction's start, shared by
every row the transaction inserts. With one report per transaction that was enough; with group
commit (`service_layer/group_commit.py`) one transaction stages several reports' events, and two
revisions of one unit (one subject) would tie. `clock_timestamp()` is the time of each insert, so
rows follow their insertion order (within a transaction as across transactions, as before).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE intake.outbox ALTER COLUMN created_at SET DEFAULT clock_timestamp()")


def downgrade() -> None:
    op.execute("ALTER TABLE intake.outbox ALTER COLUMN created_at SET DEFAULT now()")
