"""Roll up: recompute the province projection of every indicator that applied reports marked stale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kpi.domain.publications import Staged

if TYPE_CHECKING:
    from kpi.service_layer.apply_report import KpiService


async def refresh_rollups(service: KpiService) -> int:
    """Recompute the province projection of every stale indicator; returns how many."""
    now = service.clock.now()
    async with service.transactions() as stores:
        dirty = await stores.claim_dirty()
        staged: list[Staged] = []
        for indicator, correlation_id in dirty:
            staged += await service.refresh(
                stores, service.catalogue.province.code, indicator, now, correlation_id
            )
            await stores.clear_dirty(indicator)
        await stores.stage(staged)
    return len(dirty)
