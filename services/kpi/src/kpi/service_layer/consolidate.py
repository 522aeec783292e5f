"""Consolidate: the monthly report to the provincial chairman, made on demand or stored once and announced.

`consolidated_report` reads what the report needs (the stored observations and the monthly
receipts) and builds it; `produce` is what the consolidation tick runs on the 24th: the
month's files stored once, announced by an event.
"""

from __future__ import annotations

import hashlib

import structlog

from bdhvs_shared.events import subjects
from kpi.domain.consolidated_report import REPORT_FORM, ConsolidatedReport, announcement, build
from kpi.domain.reporting import resolve
from kpi.service_layer.apply_report import KpiService
from kpi.service_layer.ports import ReportFiles

log = structlog.get_logger("kpi.consolidation")


async def consolidated_report(service: KpiService, period_text: str) -> ConsolidatedReport:
    """Raises ReportingQueryError when the period is not a month."""
    form, period = resolve(service.catalogue, REPORT_FORM, period_text)
    async with service.transactions() as stores:  # one transaction for both reads
        stored = await stores.observations.all()
        received = await stores.receipts.for_period(form.code, str(period))
    view = service.reporting(form, period, received)
    return build(service.projector, stored, view, service.clock.now().astimezone(service.tz))


async def produce(service: KpiService, period: str, files: ReportFiles, public_base_url: str = "") -> bool:
    """Store the month's files (made by `files`) and stage the event, in one transaction; False when
    already made."""
    async with service.transactions() as stores:
        if await stores.archive.exists(period):
            return False
    report = await consolidated_report(service, period)
    workbook = files.xlsx(report, service.tz)
    page = files.html(report, service.tz)
    digest = hashlib.sha256(workbook).hexdigest()
    async with service.transactions() as stores:
        if not await stores.archive.insert_once(report, workbook, page, digest):
            return False  # another replica made it meanwhile: its event is the one
        event = announcement(report, digest, len(workbook), public_base_url)
        await stores.stage([(event, subjects.kpi_consolidated(report.period))])
    log.info("consolidated report produced", period=report.period, xlsx_bytes=len(workbook))
    return True
