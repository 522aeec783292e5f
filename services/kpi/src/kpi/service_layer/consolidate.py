"""Consolidate: the monthly report to the provincial chairman, made on demand or stored once and announced.

`consolidated_report` reads what the report needs (the stored observations and the monthly
receipts) and builds it; `produce` is what the consolidation tick runs on the 24th: the
month's files stored once, announced by an event.
"""

from __future__ import annotations

import hashlib

import structlog

from bdhvs_shared.db.outbox import stage
from bdhvs_shared.events import subjects
from kpi.adapters import consolidated_files as files
from kpi.adapters import consolidated_reports, observations, receipts
from kpi.adapters.tables import outbox
from kpi.domain.consolidated_report import REPORT_FORM, ConsolidatedReport, announcement, build
from kpi.domain.reporting import reporting_view, resolve
from kpi.service_layer.apply_report import KpiService

log = structlog.get_logger("kpi.consolidation")


async def consolidated_report(service: KpiService, period_text: str) -> ConsolidatedReport:
    """Raises ReportingQueryError when the period is not a month."""
    form, period = resolve(service.catalogue, REPORT_FORM, period_text)
    async with service.sessions() as session, session.begin():  # one snapshot for both reads
        stored = await observations.all_rows(session)
        received = await receipts.for_period(session, form.code, str(period))
    view = reporting_view(service.catalogue, form, period, received, service.tz, service.deadline_inclusive)
    return build(service.projector, stored, view, service.clock.now().astimezone(service.tz))


async def produce(service: KpiService, period: str, public_base_url: str = "") -> bool:
    """Store the month's files and stage the event, in one transaction; False when already made."""
    async with service.sessions() as session:
        if await consolidated_reports.exists(session, period):
            return False
    report = await consolidated_report(service, period)
    workbook = files.xlsx(report, service.tz)
    page = files.html(report, service.tz)
    digest = hashlib.sha256(workbook).hexdigest()
    async with service.sessions() as session, session.begin():
        if not await consolidated_reports.insert_once(session, report, workbook, page, digest):
            return False  # another replica made it meanwhile: its event is the one
        event = announcement(report, digest, len(workbook), public_base_url)
        await stage(session, outbox, [(event, subjects.kpi_consolidated(report.period))])
    log.info("consolidated report produced", period=report.period, xlsx_bytes=len(workbook))
    return True
