"""Roll up: keep each indicator's province roll-up up to date and recompute the province projections
that applied reports marked stale.

The roll-up (`domain.rollup.RollupDay`s) is stored per indicator. Applying a report folds its
unit's change in (`fold_unit_changes`, in the report's transaction, while it holds the
indicator's mark on the work list); the worker (`refresh_rollups`) then projects the province from
the stored roll-up instead of re-reading every observation. An indicator whose roll-up is not
stored yet (after the migration that added it, or a rebuild) is built by the worker from every
observation, while it holds the mark; until then applied reports leave it alone.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from kpi.domain.observation import Observation
from kpi.domain.publications import Staged
from kpi.domain.rollup import rollup_days, with_unit_change
from kpi.service_layer.ports import ReportStores

if TYPE_CHECKING:
    from kpi.service_layer.apply_report import KpiService

# Per indicator, the units whose series changed: (series before, series after), in order.
SeriesChanges = Mapping[str, Sequence[tuple[Sequence[Observation], Sequence[Observation]]]]


async def refresh_rollups(service: KpiService) -> int:
    """Recompute the province projection of every stale indicator; returns how many."""
    now = service.clock.now()
    async with service.transactions() as stores:
        dirty = await stores.claim_dirty()
        await _build_missing(stores, service.catalogue.province.code, [i for i, _ in dirty])
        staged: list[Staged] = []
        for indicator, correlation_id in dirty:
            staged += await service.refresh(
                stores, service.catalogue.province.code, indicator, now, correlation_id
            )
            await stores.clear_dirty(indicator)
        await stores.stage(staged)
    return len(dirty)


async def fold_unit_changes(stores: ReportStores, changes: SeriesChanges) -> None:
    """Fold units' changed series into the stored roll-ups (the built ones; the caller holds their marks)."""
    kept = await stores.rollups.days(changes.keys())
    updated = {}
    for indicator, days in kept.items():
        new = days
        for before, after in changes[indicator]:
            new = with_unit_change(new, before, after)
        if new != days:
            updated[indicator] = new
    await stores.rollups.write(updated)


async def _build_missing(stores: ReportStores, province: str, indicators: Collection[str]) -> None:
    """Build, from every observation, the roll-up of each claimed indicator that has none stored."""
    kept = await stores.rollups.days(indicators)
    built = {}
    for indicator in sorted(set(indicators) - kept.keys()):
        by_unit = await stores.observations.series_by_unit(indicator)
        built[indicator] = rollup_days({u: s for u, s in by_unit.items() if u != province})
    await stores.rollups.write(built)
