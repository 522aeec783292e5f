"""api token expiry

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL: the token does not expire (every token created before this revision).
    op.add_column(
        "api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True), schema="intake"
    )


def downgrade() -> None:
    op.drop_column("api_tokens", "expires_at", schema="intake")
