"""The consolidated report made automatically on the 24th: stored once, announced by an event."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bdhvs_shared.db.outbox import stage
from bdhvs_shared.events import ConsolidatedReportProduced, ProvinceKpi, subjects
from bdhvs_shared.worker import PollingWorker
from kpi.adapters.tables import consolidated_reports, outbox
from kpi.consolidated import files
from kpi.consolidated.model import ConsolidatedReport
from kpi.consolidated.source import consolidated_report
from kpi.domain.completeness import ReportState
from kpi.domain.consolidation import due_month
from kpi.reporting import group_out
from kpi.service import KpiService

log = structlog.get_logger("kpi.consolidation")
ARCHIVE_PATH = "/api/v1/consolidated/archive/{period}.{extension}"


@dataclass(frozen=True)
class ConsolidationSchedule:
    day: int = 24
    hour: int = 8
    public_base_url: str = ""  # "" → the event carries kpi's paths only


class ConsolidationTick(PollingWorker):
    """Makes the month's report once it is due; every replica may run it (the period is a key)."""

    name = "consolidation-tick"

    def __init__(
        self, service: KpiService, relay: PollingWorker, schedule: ConsolidationSchedule, poll_seconds: float
    ) -> None:
        super().__init__(poll_seconds)
        self._service, self._relay, self._schedule = service, relay, schedule
        self.done: set[str] = set()  # months this process has seen made: no query per poll

    async def run_once(self) -> int:
        local_now = self._service.clock.now().astimezone(self._service.tz)
        period = due_month(local_now, self._schedule.day, self._schedule.hour)
        if period is None or period in self.done:
            return 0
        made = await produce(self._service, period, self._schedule.public_base_url)
        self.done.add(period)
        if made:
            self._relay.wake()
        return 0


async def produce(service: KpiService, period: str, public_base_url: str = "") -> bool:
    """Store the month's files and stage the event, in one transaction; False when already made."""
    async with service.sessions() as session:
        if await _exists(session, period):
            return False
    report = await consolidated_report(service, period)
    workbook = files.xlsx(report, service.tz)
    page = files.html(report, service.tz)
    digest = hashlib.sha256(workbook).hexdigest()
    async with service.sessions() as session, session.begin():
        inserted = await session.execute(
            insert(consolidated_reports)
            .values(
                period=report.period,
                as_of=report.as_of,
                produced_at=report.generated_at,
                xlsx=workbook,
                html=page,
                xlsx_sha256=digest,
            )
            .on_conflict_do_nothing(index_elements=["period"])
            .returning(consolidated_reports.c.period)
        )
        if inserted.first() is None:
            return False  # another replica made it meanwhile: its event is the one
        event = announcement(report, digest, len(workbook), public_base_url)
        await stage(session, outbox, [(event, subjects.kpi_consolidated(report.period))])
    log.info("consolidated report produced", period=report.period, xlsx_bytes=len(workbook))
    return True


def announcement(
    report: ConsolidatedReport, digest: str, size: int, public_base_url: str
) -> ConsolidatedReportProduced:
    def url(extension: str) -> str:
        return public_base_url.rstrip("/") + ARCHIVE_PATH.format(period=report.period, extension=extension)

    view = report.completeness
    province = report.rows[0]
    return ConsolidatedReportProduced.new(
        producer="kpi",
        correlation_id=None,
        occurred_at=report.generated_at,
        period=report.period,
        as_of=report.as_of,
        produced_at=report.generated_at,
        xlsx_url=url("xlsx"),
        html_url=url("html"),
        xlsx_sha256=digest,
        xlsx_bytes=size,
        completeness=[group_out(g) for g in view.groups],
        missing_units=[u.unit_code for u in view.in_state(ReportState.MISSING)],
        late_units=[u.unit_code for u in view.in_state(ReportState.LATE)],
        province=[
            ProvinceKpi(indicator=code, attainment=cell.attainment, status=cell.status)  # type: ignore[arg-type]
            for code, cell in province.cells.items()
        ],
    )


async def _exists(session: AsyncSession, period: str) -> bool:
    found = await session.execute(
        select(consolidated_reports.c.period).where(consolidated_reports.c.period == period)
    )
    return found.first() is not None


async def archived(session: AsyncSession, period: str) -> tuple[bytes, str] | None:
    """The stored workbook and page of a month, if it was made."""
    row = (
        await session.execute(
            select(consolidated_reports.c.xlsx, consolidated_reports.c.html).where(
                consolidated_reports.c.period == period
            )
        )
    ).first()
    return (bytes(row.xlsx), str(row.html)) if row else None
