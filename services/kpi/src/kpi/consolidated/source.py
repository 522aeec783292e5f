"""Reads what the consolidated report needs: the stored observations and the monthly receipts."""

from __future__ import annotations

from kpi.adapters import observations, receipts
from kpi.consolidated.model import REPORT_FORM, ConsolidatedReport, build
from kpi.reporting import reporting_view, resolve
from kpi.service import KpiService


async def consolidated_report(service: KpiService, period_text: str) -> ConsolidatedReport:
    """Raises ReportingQueryError when the period is not a month."""
    form, period = resolve(service.catalogue, REPORT_FORM, period_text)
    async with service.sessions() as session, session.begin():  # one snapshot for both reads
        stored = await observations.all_rows(session)
        received = await receipts.for_period(session, form.code, str(period))
    view = reporting_view(service.catalogue, form, period, received, service.tz, service.deadline_inclusive)
    return build(service.projector, stored, view, service.clock.now().astimezone(service.tz))
