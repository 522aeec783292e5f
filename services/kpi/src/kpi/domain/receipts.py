"""The receipt rule: the first revision of a report decides whether it came on time (pure).

A report's receipt keeps, whatever order its revisions arrive in, `on_time` and the receipt
time of the lowest revision seen, and the number and time of the highest. The live upsert
(`adapters/receipts._merge`, the same rule in SQL, for speed) is checked against this
function on generated cases (tests/integration/test_kpi_receipt_rule.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kpi.domain.replayed import ReplayedReport
from kpi.domain.reporting import Receipt


@dataclass(frozen=True)
class StoredReceipt:
    """A `report_receipts` row: one report's receipt (`Receipt`) with its form, period and deadline."""

    unit_code: str
    form: str
    period: str
    on_time: bool
    first_revision: int
    first_received_at: datetime
    latest_revision: int
    latest_received_at: datetime
    deadline: datetime


def merge_receipt(receipt: Receipt | None, event: ReplayedReport) -> Receipt:
    """The receipt with one more revision folded in; the same object when the revision changes nothing."""
    if receipt is None:
        return Receipt(
            event.unit_code,
            event.on_time,
            event.revision,
            event.received_at,
            event.revision,
            event.received_at,
        )
    earlier = event.revision < receipt.first_revision
    later = event.revision > receipt.latest_revision
    if not (earlier or later):
        return receipt  # a revision between the first and the latest, or one seen again
    return Receipt(
        unit_code=receipt.unit_code,
        on_time=event.on_time if earlier else receipt.on_time,
        first_revision=event.revision if earlier else receipt.first_revision,
        first_received_at=event.received_at if earlier else receipt.first_received_at,
        latest_revision=event.revision if later else receipt.latest_revision,
        latest_received_at=event.received_at if later else receipt.latest_received_at,
    )
