"""Roll up: keep each indicator's province roll-up up to date and recompute the province projections
that applied reports marked stale.

The roll-up (`domain.rollup.RollupDay`s) is stored per indicator. Applying a report folds its
unit's change in (`kept_rollups.fold_unit_changes`, in the report's transaction, while it holds the
indicator's mark on the work list); the worker (`refresh_rollups`) then projects the province from
the stored roll-up instead of re-reading every observation. An indicator whose roll-up is not
stored yet (after the migration that added it, or a rebuild) is built by the worker from every
observation, while it holds the mark; until then applied reports leave it alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kpi.domain.publications import Staged
from kpi.service_layer.kept_rollups import build_missing

if TYPE_CHECKING:
    from kpi.service_layer.apply_report import KpiService


async def refresh_rollups(service: KpiService) -> int:
    """Recompute the province projection of every stale indicator; returns how many."""
    now = service.clock.now()
    async with service.transactions() as stores:
        dirty = await stores.claim_dirty()
        await build_missing(stores, service.catalogue.province.code, [i for i, _ in dirty])
        staged: list[Staged] = []
        for indicator, correlation_id in dirty:
            staged += await service.refresh(
                stores, service.catalogue.province.code, indicator, now, correlation_id
            )
            await stores.clear_dirty(indicator)
        await stores.stage(staged)
    return len(dirty)
