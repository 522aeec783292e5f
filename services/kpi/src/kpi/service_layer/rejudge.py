"""Re-judge: recompute the projections whose status the date alone may have changed (daily status tick)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5

from kpi.domain.rejudging import needs_rejudging

if TYPE_CHECKING:
    from kpi.service_layer.apply_report import KpiService


async def rejudge(service: KpiService, judged_on: date | None = None) -> int:
    """Recompute the projections whose status the date alone may have changed; returns how many changed.

    Run by the daily status tick (`judged_on`: the day of its previous run): a target date that
    passed, or the new year's target from 1 January, changes a status without any new report.
    """
    now = service.clock.now()
    today = now.astimezone(service.tz).date()
    async with service.transactions() as stores:
        stored = await stores.projections.all()
    candidates = [
        s
        for s in stored
        if s.indicator in service.catalogue.indicators
        and needs_rejudging(s, service.projector.target(s.indicator, today), today, judged_on)
    ]
    changed = 0
    for snapshot in candidates:  # one short transaction each: the consumer is not held up
        async with service.transactions() as stores:
            staged = await service.refresh(
                stores, snapshot.unit_code, snapshot.indicator, now, _date_correlation(today)
            )
            await stores.stage(staged)
            changed += bool(staged)
    return changed


def _date_correlation(today: date) -> UUID:
    # A change caused by the date alone has no report behind it: one stable id per day.
    return uuid5(NAMESPACE_URL, f"bdhvs:kpi:date:{today.isoformat()}")
