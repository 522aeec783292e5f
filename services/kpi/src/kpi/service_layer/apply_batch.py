"""Applying a batch of accepted reports in one transaction, with the effects of applying them one by one.

Under load the consumer pulls many reports at once. One transaction per batch, with
set-based reads and upserts, costs about ten round trips instead of about twenty per
report. The outcome is the one of applying the reports one after another in stream
order: their observations are folded in memory in that order (the highest revision
wins), each touched (unit, indicator) snapshot is recomputed after each report, and each
report that changes a snapshot publishes its own AttainmentUpdated (its correlation id,
the next sequence), as `KpiService.apply` does (`domain.batch_state`). Every key is locked
first, in one fixed order, so replicas and the roll-up worker serialise as before. It works
on the stores of `service_layer.ports`, as `KpiService.apply` does.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from uuid import UUID

from bdhvs_shared.events import ReportAccepted
from kpi.domain.batch_state import BatchState
from kpi.domain.publications import Staged
from kpi.service_layer.apply_report import KpiService
from kpi.service_layer.batch_receipts import batch_receipts
from kpi.service_layer.kept_rollups import fold_unit_changes
from kpi.service_layer.ports import ReportStores


async def apply_batch(service: KpiService, events: Sequence[ReportAccepted]) -> list[bool]:
    """Apply each report exactly once, in one transaction; per report, False if it was a redelivery.

    A report dated in the future fails the whole batch (FutureReport) before anything is read:
    the batcher then applies the reports one by one, and only that one is dead-lettered.
    """
    now = service.clock.now()
    today = now.astimezone(service.tz).date()
    for event in events:
        service.admit(event, today)
    async with service.transactions() as stores:
        fresh = _fresh(events, await stores.first_times([e.event_id for e in events]))
        if not fresh:
            return [False] * len(events)
        await _apply_fresh(service, stores, fresh, today, now)
    return _outcomes(events, {e.event_id for e in fresh})


def _fresh(events: Sequence[ReportAccepted], new_ids: Collection[UUID]) -> list[ReportAccepted]:
    """The reports not applied before, in order; a duplicate inside the batch counts once."""
    left = set(new_ids)
    fresh: list[ReportAccepted] = []
    for event in events:
        if event.event_id in left:
            left.discard(event.event_id)
            fresh.append(event)
    return fresh


async def _apply_fresh(
    service: KpiService, stores: ReportStores, fresh: Sequence[ReportAccepted], today: date, now: datetime
) -> None:
    known = service.catalogue.indicators
    pairs = {(e.unit_code, i) for e in fresh for i in e.values if i in known}
    # One statement, keys in sorted order: unit codes are digits, so the reporting keys sort after
    # every unit's and are still taken last, as the one-by-one path does, so no cycle.
    await stores.lock_all(pairs | {(f"reporting:{e.form}", e.period) for e in fresh})
    stored = await stores.observations.rows_for(pairs)
    state = BatchState.of(pairs, stored, await stores.projections.current_many(pairs))
    staged: list[Staged] = []
    dirty: dict[str, UUID] = {}
    for event in fresh:
        for indicator, value in sorted(event.values.items()):
            if indicator not in known:
                continue
            state.fold(event, indicator, value)
            pair = (event.unit_code, indicator)
            staged += state.refresh(service.projector, pair, today, now, event.correlation_id)
            dirty[indicator] = event.correlation_id
    staged += await batch_receipts(service, stores, fresh, now)
    await stores.observations.upsert_many(list(state.changed_rows.values()))
    await stores.projections.save_many(list(state.saved.values()))
    await stores.mark_dirty_many(dirty, now)  # held until commit: the roll-ups are ours to update
    await fold_unit_changes(stores, state.series_changes(leave_out=service.catalogue.province.code))
    await stores.stage(staged, ordered_from=now)


def _outcomes(events: Sequence[ReportAccepted], applied: set[UUID]) -> list[bool]:
    """True once per applied report."""
    seen: set[UUID] = set()
    result = []
    for event in events:
        result.append(event.event_id in applied and event.event_id not in seen)
        seen.add(event.event_id)
    return result
