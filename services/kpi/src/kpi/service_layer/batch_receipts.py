"""The batch path's receipts: `KpiService.record_receipt` for each report of a batch, in order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bdhvs_shared.events import ReportAccepted, subjects
from kpi.domain.publications import Staged
from kpi.domain.receipts import merge_receipt
from kpi.domain.replay import ReceiptFold
from kpi.domain.reporting import ExpectedReporting, Receipt, ReportingQueryError, reporting_event, resolve
from kpi.service_layer.apply_report import KpiService
from kpi.service_layer.ports import ReportStores


async def batch_receipts(
    service: KpiService, stores: ReportStores, fresh: Sequence[ReportAccepted], now: datetime
) -> list[Staged]:
    """Record the batch's receipts; a ReportingUpdated per report not seen before, as one by one."""
    keys = {(e.unit_code, e.form, e.period) for e in fresh}
    seen = await stores.receipts.existing(keys)
    fold = ReceiptFold()
    by_period: dict[tuple[str, str], dict[str, Receipt]] = {}
    expected: dict[tuple[str, str], ExpectedReporting] = {}  # per form and period: once a batch
    catalogue = service.catalogue
    staged: list[Staged] = []
    for event in fresh:
        key = (event.unit_code, event.form, event.period)
        fold.add(event)
        received = by_period.get((event.form, event.period))
        if received is not None:
            received[event.unit_code] = merge_receipt(received.get(event.unit_code), event)
        if key in seen:
            continue  # a correction of a report already counted: completeness unchanged
        seen.add(key)
        if service.catalogue is not catalogue:  # a new version published during the batch
            catalogue = service.catalogue
            expected.clear()
        try:
            form, period = resolve(catalogue, event.form, event.period)
        except ReportingQueryError:
            continue  # a form or period this catalogue version does not know: counted, not published
        if received is None:
            received = await _received_so_far(stores, fold, fresh, event)
            by_period[(event.form, event.period)] = received
        who = expected.get((event.form, event.period))
        if who is None:
            who = expected[(event.form, event.period)] = service.expected_reporting(form, period)
        published = reporting_event(who, received, now, event.correlation_id)
        staged.append((published, subjects.kpi_reporting(form.code)))
    await stores.receipts.record_many(list(fold.rows.values()))
    return staged


async def _received_so_far(
    stores: ReportStores, fold: ReceiptFold, fresh: Sequence[ReportAccepted], event: ReportAccepted
) -> dict[str, Receipt]:
    """The period's stored receipts with this batch's revisions folded in, up to `event`."""
    received = await stores.receipts.for_period(event.form, event.period)
    for unit, f, p in fold.receipts:  # this batch's receipts of the period, not yet written
        if (f, p) == (event.form, event.period):
            for revision in _events_of(fresh, unit, f, p, event):
                received[unit] = merge_receipt(received.get(unit), revision)
    return received


def _events_of(
    fresh: Sequence[ReportAccepted], unit: str, form: str, period: str, upto: ReportAccepted
) -> list[ReportAccepted]:
    """The batch's revisions of one report up to and including `upto` (in stream order)."""
    out = []
    for event in fresh:
        if (event.unit_code, event.form, event.period) == (unit, form, period):
            out.append(event)
        if event is upto:
            break
    return out
