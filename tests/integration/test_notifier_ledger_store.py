"""Contract of the deadline ledger's store (`Ledger` in `notifier.service_layer.ports`): the same
assertions on the in-memory fake (tests/support/notifier_fakes.py) and on PostgreSQL
(`notifier.adapters.ledger_store`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from notifier.domain.ledger import DueItem
from notifier.domain.records import LedgerDone, LedgerRow
from notifier.service_layer.ports import Transactions
from support.events import TZ
from support.notifier_stores import both_stores

transactions = both_stores()
DEADLINE = datetime(2026, 3, 20, tzinfo=TZ)


def due(unit: str, kind: str, days_before: int = 0, expires: bool = False) -> DueItem:
    at = DEADLINE - timedelta(days=days_before, hours=-8)
    return DueItem("monthly", "2026-03", unit, kind, at, DEADLINE, DEADLINE if expires else None)


def summary(rows: list[LedgerRow]) -> list[tuple[str, str, str]]:
    return [(r.unit_code, r.kind, r.status) for r in rows]


async def test_planning_adds_what_is_new_and_claims_come_oldest_first(transactions: Transactions) -> None:
    reminder, overdue = due("09313", "reminder_3d", 3, expires=True), due("09313", "overdue")
    async with transactions() as stores:
        assert await stores.ledger.add_planned([reminder, overdue], DEADLINE) == 2
        assert await stores.ledger.add_planned([reminder, overdue, due("09292", "overdue")], DEADLINE) == 1
        assert await stores.ledger.pending_by_kind() == {"reminder_3d": 1, "overdue": 2}
    async with transactions() as stores:
        claimed = await stores.ledger.claim_due(DEADLINE + timedelta(days=1), 10)
        assert summary(claimed) == [
            ("09313", "reminder_3d", "pending"),
            ("09313", "overdue", "pending"),
            ("09292", "overdue", "pending"),
        ]
        assert claimed[0].expires_at == DEADLINE and claimed[1].expires_at is None
        assert len(await stores.ledger.claim_due(DEADLINE + timedelta(days=1), 1)) == 1
        assert summary(await stores.ledger.claim_due(DEADLINE, 10)) == [("09313", "reminder_3d", "pending")]
        await stores.ledger.finish([LedgerDone(claimed[0].id, "sent", None, 2)], DEADLINE)
    async with transactions() as stores:
        assert await stores.ledger.pending_by_kind() == {"overdue": 2}
        assert await stores.ledger.add_planned([reminder], DEADLINE) == 0  # sent: it stays sent


async def test_a_report_cancels_what_is_pending_even_before_it_was_planned(
    transactions: Transactions,
) -> None:
    sent, pending = due("09313", "reminder_3d", 3), due("09313", "overdue")
    async with transactions() as stores:
        await stores.ledger.add_planned([sent, pending, due("09292", "overdue")], DEADLINE)
        (first,) = await stores.ledger.claim_due(DEADLINE - timedelta(days=2), 10)
        await stores.ledger.finish([LedgerDone(first.id, "sent")], DEADLINE)
        cancelled = await stores.ledger.cancel(
            [sent, pending, due("09313", "escalation")], DEADLINE, "report"
        )
        assert sorted(cancelled) == ["escalation", "overdue"]  # the sent reminder stays sent
        assert await stores.ledger.cancel([], DEADLINE, "report") == []
    async with transactions() as stores:
        assert await stores.ledger.overdue_units("monthly", "2026-03") == (["09292"], 2)
        left = await stores.ledger.claim_due(DEADLINE + timedelta(days=9), 10)
        assert summary(left) == [("09292", "overdue", "pending")]


async def test_the_first_arrival_counts_and_a_cancelled_unit_counts_as_arrived(
    transactions: Transactions,
) -> None:
    async with transactions() as stores:
        await stores.ledger.record_arrival("monthly", "2026-03", "09313", DEADLINE, False)
        await stores.ledger.record_arrival("monthly", "2026-03", "09313", DEADLINE, True)  # a correction
        await stores.ledger.record_arrival("monthly", "2026-02", "09292", DEADLINE, True)
        await stores.ledger.cancel([due("07699", "overdue")], DEADLINE, "report")
    async with transactions() as stores:
        assert await stores.ledger.arrivals("monthly", "2026-03") == {"09313": False, "07699": True}
        assert await stores.ledger.arrivals("quarterly", "2026-Q1") == {}


async def test_the_first_start_is_stored_once(transactions: Transactions) -> None:
    async with transactions() as stores:
        assert await stores.ledger.first_start(DEADLINE) == DEADLINE
    async with transactions() as stores:
        assert await stores.ledger.first_start(DEADLINE + timedelta(days=9)) == DEADLINE
