"""Completeness reads one form and period's receipts at each new report; the table keeps a row per
report ever received, so the read must go through an index, not the primary key that begins with the
unit (without `ix_report_receipts_form_period` the plan is a scan of the whole table)."""

from __future__ import annotations

from kpi.adapters.receipts import period_rows
from support.plans import generic_plan


async def test_a_periods_receipts_are_read_through_their_index(database_url: str) -> None:
    plan = await generic_plan(database_url, period_rows("monthly", "2026-03"), "'monthly', '2026-03'")
    assert "ix_report_receipts_form_period" in plan, plan
