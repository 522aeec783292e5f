"""What the consolidated monthly report says (pure): the five KPIs per unit and completeness.

Figures are as they stood on the period's as-of day (observations up to that day, judged
that day), so the report of a month is the same whenever it is produced. `announcement` is the
bdhvs.kpi.consolidated event that says a month's report was made and where its files are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bdhvs_shared.catalogue import Indicator
from bdhvs_shared.events import ConsolidatedReportProduced, ProvinceKpi
from kpi.domain.completeness import ReportState
from kpi.domain.projector import Projector, StoredObservation
from kpi.domain.publications import pp_per_30d
from kpi.domain.report_texts import KIND_VI, STATUS_VI
from kpi.domain.reporting import ReportingView, UnitReporting, group_out
from kpi.domain.snapshot import Snapshot

REPORT_FORM = "monthly"  # the communes' monthly report is the completeness the chairman sees
ARCHIVE_PATH = "/api/v1/consolidated/archive/{period}.{extension}"


@dataclass(frozen=True)
class KpiCell:
    attainment: float | None
    target: float | None
    comparator: str | None
    status: str | None  # machine code; None: no data
    pace_pp_per_30d: float | None
    projected: float | None

    @property
    def status_vi(self) -> str:
        return STATUS_VI.get(self.status or "", "Chưa có số liệu")


@dataclass(frozen=True)
class UnitRow:
    unit_code: str
    unit_name: str
    unit_kind: str
    cells: dict[str, KpiCell]  # by indicator code

    @property
    def kind_vi(self) -> str:
        return KIND_VI.get(self.unit_kind, self.unit_kind)


@dataclass(frozen=True)
class ConsolidatedReport:
    period: str
    as_of: date
    generated_at: datetime
    kpis: list[Indicator]
    rows: list[UnitRow]  # the province first, then communes and wards in code order
    completeness: ReportingView

    @property
    def late_or_missing(self) -> list[UnitReporting]:
        return [u for u in self.completeness.units if u.state.value != "on_time"]


def build(
    projector: Projector,
    stored: Iterable[StoredObservation],
    completeness: ReportingView,
    generated_at: datetime,
) -> ConsolidatedReport:
    catalogue = projector.catalogue
    as_of = completeness.as_of
    kpis = [i for i in catalogue.indicators.values() if i.kpi]
    codes = {i.code for i in kpis}
    rows = [r for r in stored if r.indicator in codes and r.as_of <= as_of]
    snapshots = projector.all_snapshots(rows, as_of)
    units = [
        catalogue.province,
        *sorted((u for u in catalogue.units.values() if u.active_on(as_of)), key=lambda u: u.code),
    ]
    table = [
        UnitRow(
            unit_code=u.code,
            unit_name=u.name,
            unit_kind=u.kind.value,
            cells={i.code: _cell(projector, snapshots.get((u.code, i.code)), i.code, as_of) for i in kpis},
        )
        for u in units
    ]
    return ConsolidatedReport(completeness.period, as_of, generated_at, kpis, table, completeness)


def _cell(projector: Projector, s: Snapshot | None, indicator: str, as_of: date) -> KpiCell:
    if s is None:  # no data: still show the target the unit is held to
        target = projector.target(indicator, as_of)
        return KpiCell(
            None,
            target.value if target else None,
            target.comparator.value if target else None,
            None,
            None,
            None,
        )
    return KpiCell(
        attainment=s.attainment,
        target=s.target_value,
        comparator=s.target_comparator,
        status=s.status,
        pace_pp_per_30d=pp_per_30d(s.pace_per_day),
        projected=s.projected,
    )


def target_text(cell: KpiCell) -> str:
    if cell.target is None:
        return "—"
    prefix = "> " if cell.comparator == ">" else "≥ "
    return prefix + f"{cell.target * 100:.0f} %"


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
