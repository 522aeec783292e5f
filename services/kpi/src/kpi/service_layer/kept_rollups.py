"""The stored province roll-ups: fold units' changes in, build the missing ones (see `roll_up`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from kpi.domain.observation import Observation
from kpi.domain.rollup import rollup_days, with_unit_change
from kpi.service_layer.ports import ReportStores

# Per indicator, the units whose series changed: (series before, series after), in order.
SeriesChanges = Mapping[str, Sequence[tuple[Sequence[Observation], Sequence[Observation]]]]


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


async def build_missing(stores: ReportStores, province: str, indicators: Collection[str]) -> None:
    """Build, from every observation, the roll-up of each claimed indicator that has none stored."""
    kept = await stores.rollups.days(indicators)
    built = {}
    for indicator in sorted(set(indicators) - kept.keys()):
        by_unit = await stores.observations.series_by_unit(indicator)
        built[indicator] = rollup_days({u: s for u, s in by_unit.items() if u != province})
    await stores.rollups.write(built)
