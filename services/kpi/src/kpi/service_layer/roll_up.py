"""Roll up: recompute the province projection of every indicator that applied reports marked stale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bdhvs_shared.db.outbox import stage
from kpi.adapters import rollups
from kpi.adapters.report_stores import PgReportStores
from kpi.adapters.tables import outbox
from kpi.domain.publications import Staged
from kpi.service_layer.apply_report import CONSUMER

if TYPE_CHECKING:
    from kpi.service_layer.apply_report import KpiService


async def refresh_rollups(service: KpiService) -> int:
    """Recompute the province projection of every stale indicator; returns how many."""
    now = service.clock.now()
    async with service.sessions() as session, session.begin():
        stores = PgReportStores(session, CONSUMER)
        dirty = await rollups.claim_dirty(session)
        staged: list[Staged] = []
        for indicator, correlation_id in dirty:
            staged += await service.refresh(
                stores, service.catalogue.province.code, indicator, now, correlation_id
            )
            await rollups.clear(session, indicator)
        await stage(session, outbox, staged)
    return len(dirty)
