"""contact directory (recipients → contacts, active flag), routing rules, audit log, report arrivals

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The recipients keep their rows and ids: the directory is the same data with an active flag.
    op.rename_table("recipients", "contacts", schema="notifier")
    op.execute(
        "ALTER INDEX notifier.ix_notifier_recipients_unit_code RENAME TO ix_notifier_contacts_unit_code"
    )
    op.add_column(
        "contacts",
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        schema="notifier",
    )
    op.add_column(
        "contacts", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True), schema="notifier"
    )
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("channels", sa.Text(), nullable=False),
        sa.Column("tier", sa.SmallInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "role", name="uq_routing_rules_kind_role"),
        schema="notifier",
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        schema="notifier",
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False, schema="notifier")
    op.create_table(
        "report_arrivals",
        sa.Column("form", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("unit_code", sa.String(length=5), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("form", "period", "unit_code"),
        schema="notifier",
    )


def downgrade() -> None:
    op.drop_table("report_arrivals", schema="notifier")
    op.drop_index("ix_audit_log_at", table_name="audit_log", schema="notifier")
    op.drop_table("audit_log", schema="notifier")
    op.drop_table("routing_rules", schema="notifier")
    op.execute("DELETE FROM notifier.contacts WHERE NOT active")
    op.drop_column("contacts", "updated_at", schema="notifier")
    op.drop_column("contacts", "active", schema="notifier")
    op.execute(
        "ALTER INDEX notifier.ix_notifier_contacts_unit_code RENAME TO ix_notifier_recipients_unit_code"
    )
    op.rename_table("contacts", "recipients", schema="notifier")
