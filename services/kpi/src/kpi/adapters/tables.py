"""KPI's tables, all in schema `kpi`."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from bdhvs_shared.catalogue.model import INDICATOR_CODE_MAX
from bdhvs_shared.db.tables import outbox_table, processed_events_table

metadata = MetaData(schema="kpi")

# One row per (unit, indicator, report): the latest revision's figures.
observations = Table(
    "observations",
    metadata,
    Column("unit_code", String(5), primary_key=True),
    Column("indicator", String(INDICATOR_CODE_MAX), primary_key=True),
    Column("form", String(50), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("numerator", BigInteger, nullable=False),
    Column("denominator", BigInteger, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
)

# The current projection per unit (and the province, 24) and indicator.
attainment = Table(
    "attainment",
    metadata,
    Column("unit_code", String(5), primary_key=True),
    Column("indicator", String(INDICATOR_CODE_MAX), primary_key=True),
    Column("sequence", Integer, nullable=False),
    Column("as_of", Date, nullable=True),
    Column("numerator", BigInteger, nullable=True),
    Column("denominator", BigInteger, nullable=True),
    Column("attainment", Float, nullable=True),
    Column("pace_per_day", Float, nullable=True),
    Column("projected", Float, nullable=True),
    Column("required_pace_per_day", Float, nullable=True),
    Column("status", String(20), nullable=False),
    Column("target_value", Float, nullable=True),
    Column("target_comparator", String(2), nullable=True),
    Column("target_due", Date, nullable=True),
    Column("units_reporting", Integer, nullable=False),
    Column("units_expected", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("last_event_id", UUID(as_uuid=True), nullable=False),
)

# Indicators whose province roll-up must be recomputed: marked with each applied report, cleared
# by the roll-up worker. Under load many reports share one recomputation.
rollup_dirty = Table(
    "rollup_dirty",
    metadata,
    Column("indicator", String(INDICATOR_CODE_MAX), primary_key=True),
    Column("correlation_id", UUID(as_uuid=True), nullable=False),
    Column("marked_at", DateTime(timezone=True), nullable=False),
)

# The province roll-up of each indicator (its communes and wards, `domain.rollup.RollupDay`s as
# [as_of, numerator, denominator, units_reporting, units_dated] by day), kept up to date by each
# applied report from its unit's change. No row: not built yet; the roll-up worker builds it from
# every observation (after a migration or a rebuild) and the reads recompute it meanwhile.
rollups = Table(
    "rollups",
    metadata,
    Column("indicator", String(INDICATOR_CODE_MAX), primary_key=True),
    Column("days", JSONB, nullable=False),
)

# One row per report (unit, form, period) received, whatever its revisions: completeness reads it.
# `on_time` is the first revision's verdict (docs/kpi-rules.md: a correction does not change it).
report_receipts = Table(
    "report_receipts",
    metadata,
    Column("unit_code", String(5), primary_key=True),
    Column("form", String(50), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("on_time", Boolean, nullable=False),
    Column("first_revision", Integer, nullable=False),
    Column("first_received_at", DateTime(timezone=True), nullable=False),
    Column("latest_revision", Integer, nullable=False),
    Column("latest_received_at", DateTime(timezone=True), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
)
# Completeness reads one form and period's receipts at each new report: by the primary key (unit
# first) that read the whole table, a row per report ever received.
Index("ix_report_receipts_form_period", report_receipts.c.form, report_receipts.c.period)

outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)

# The consolidated monthly report as produced on the 24th: one row per month, made once.
consolidated_reports = Table(
    "consolidated_reports",
    metadata,
    Column("period", String(10), primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("produced_at", DateTime(timezone=True), nullable=False),
    Column("xlsx", LargeBinary, nullable=False),
    Column("html", Text, nullable=False),
    Column("xlsx_sha256", String(64), nullable=False),
)
