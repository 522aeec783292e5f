"""What the read API and the dashboards read: one short transaction each, typed records out.

The routes (`entrypoints/http/`) and the gauges worker call these, never the adapters; the
shapes are built by the domain (`read_models`, `reporting`, the projector).
"""

from __future__ import annotations

from bdhvs_shared.catalogue import UnitKind
from kpi.domain.history import HistoryPoint, province_history, unit_history
from kpi.domain.rebuild_plan import Recorded
from kpi.domain.reporting import ReportingView, resolve
from kpi.domain.snapshot import AttainmentStatus, Snapshot
from kpi.service_layer.apply_report import KpiService

GROUPS = {"xa": UnitKind.XA, "phuong": UnitKind.PHUONG}  # the groups of units besides the province


async def snapshots(service: KpiService, unit_code: str | None, indicator: str | None) -> list[Recorded]:
    """The stored projections of a unit and/or an indicator (all when None)."""
    async with service.transactions() as stores:
        return await stores.projections.find(unit_code, indicator)


async def all_snapshots(service: KpiService) -> list[Snapshot]:
    async with service.transactions() as stores:
        return await stores.projections.all()


async def statuses(service: KpiService) -> list[AttainmentStatus]:
    async with service.transactions() as stores:
        return await stores.projections.statuses()


async def history(service: KpiService, unit_code: str, indicator: str) -> list[HistoryPoint]:
    """The series of a unit (or the province) for one indicator, one point per as-of day."""
    projector = service.projector
    if unit_code == projector.province:
        async with service.transactions() as stores:
            by_unit = await stores.observations.series_by_unit(indicator)
        return province_history(projector, indicator, by_unit)
    async with service.transactions() as stores:
        series = await stores.observations.unit_series(unit_code, indicator)
    return unit_history(projector, indicator, series)


async def groups(service: KpiService, codes: list[str]) -> list[tuple[str, Snapshot]]:
    """Each indicator for the province and for the communes and the wards apart, as of today."""
    projector, today = service.projector, service.today()
    members = {
        name: {u.code for u in projector.catalogue.units.values() if u.kind is kind}
        for name, kind in GROUPS.items()
    }
    async with service.transactions() as stores:  # one transaction for every indicator's observations
        series = {code: await stores.observations.series_by_unit(code) for code in codes}
    out: list[tuple[str, Snapshot]] = []
    for code, by_unit in series.items():
        out.append(("province", projector.province_snapshot(code, by_unit, today)))
        out += [
            (name, projector.group_snapshot(name, code, by_unit, units, today))
            for name, units in members.items()
        ]
    return out


async def reporting(service: KpiService, form_code: str, period_text: str) -> ReportingView:
    """Who reported a form's period, on time or late. Raises ReportingQueryError for an unknown one."""
    form, period = resolve(service.catalogue, form_code, period_text)
    async with service.transactions() as stores:
        received = await stores.receipts.for_period(form.code, str(period))
    return service.reporting(form, period, received)


async def archived(service: KpiService, period: str) -> tuple[bytes, str] | None:
    """The consolidated report's workbook and page as made on the 24th, if it was."""
    async with service.transactions() as stores:
        return await stores.archive.archived(period)
