"""Contract of the consumers' one-statement steps (`Stores.take_update`, `Stores.take_report` in
`notifier.service_layer.ports`): the same assertions on the in-memory fake (tests/support/notifier_fakes.py)
and on PostgreSQL (`notifier.adapters.consumer_statements`) — each does what `first_time` followed by
the separate store calls did."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta

from notifier.domain.ledger import DueItem
from notifier.domain.records import Arrival, LedgerDone, TakenUpdate, Violation
from notifier.service_layer.ports import Transactions
from support.events import TZ
from support.notifier_stores import both_stores

transactions = both_stores()
NOW = datetime(2026, 3, 16, 9, tzinfo=TZ)
DEADLINE = datetime(2026, 3, 20, tzinfo=TZ)
CONSUMER = "notifier-kpi"


def opened(unit: str, status: str = "at_risk") -> Violation:
    return Violation(
        id=0, unit_code=unit, indicator="c", opened_at=NOW, opened_sequence=1, last_sequence=1,
        worst_status=status, last_status=status, status_changed_at=NOW, snapshot={"status": status},
        next_repeat_at=NOW + timedelta(days=7),
    )  # fmt: skip


def due(unit: str, kind: str, days_before: int = 0) -> DueItem:
    at = DEADLINE - timedelta(days=days_before, hours=-8)
    return DueItem("monthly", "2026-03", unit, kind, at, DEADLINE, DEADLINE if days_before else None)


async def test_an_update_is_taken_once_stored_when_newer_with_its_open_violation(
    transactions: Transactions,
) -> None:
    first, again, late, newer = (uuid.uuid4() for _ in range(4))
    async with transactions() as stores:
        violation_id = await stores.violations.open(opened("09313"))
        await stores.violations.open(opened("09292"))
        await stores.violations.change(violation_id, repeats=2, snapshot={"figures": [1, 2]})
        await stores.last_statuses.save("09313", "c", "at_risk", 3)
    async with transactions() as stores:
        taken = await stores.take_update(CONSUMER, first, "09313", "c", "off_track", 4)
        expected = dataclasses.replace(
            opened("09313"), id=violation_id, repeats=2, snapshot={"figures": [1, 2]}
        )
        assert taken == TakenUpdate(newer=True, open=expected)
        assert await stores.take_update(CONSUMER, first, "09313", "c", "off_track", 4) is None
        assert await stores.last_statuses.get("09313", "c") == ("off_track", 4)
    async with transactions() as stores:
        assert await stores.take_update(CONSUMER, first, "09313", "c", "on_track", 9) is None  # redelivery
        assert await stores.take_update(CONSUMER, late, "09313", "c", "on_track", 4) == TakenUpdate(False)
        assert await stores.take_update(CONSUMER, again, "09313", "d", "on_track", 1) == TakenUpdate(True)
        assert await stores.take_update("other", first, "09313", "c", "on_track", 3) == TakenUpdate(False)
        assert await stores.last_statuses.get("09313", "c") == ("off_track", 4)
        assert await stores.last_statuses.get("09313", "d") == ("on_track", 1)
        assert await stores.first_time(CONSUMER, late) is False  # its id is recorded, older or not
    async with transactions() as stores:
        await stores.violations.change(violation_id, resolved_at=NOW, resolved_status="on_track")
        assert await stores.take_update(CONSUMER, newer, "09313", "c", "on_track", 5) == TakenUpdate(True)


async def test_a_transaction_that_raises_keeps_no_taken_update(transactions: Transactions) -> None:
    event = uuid.uuid4()
    try:
        async with transactions() as stores:
            assert await stores.take_update(CONSUMER, event, "09313", "c", "on_track", 1) == TakenUpdate(True)
            raise RuntimeError("after the statement")
    except RuntimeError:
        pass
    async with transactions() as stores:
        assert await stores.take_update(CONSUMER, event, "09313", "c", "on_track", 1) == TakenUpdate(True)


async def test_a_report_is_taken_once_its_first_arrival_kept_and_its_pending_items_cancelled(
    transactions: Transactions,
) -> None:
    first, correction, other = (uuid.uuid4() for _ in range(3))
    reminder, overdue, escalation = (
        due("09313", "reminder_3d", 3),
        due("09313", "overdue"),
        due("09313", "escalation"),
    )
    arrival = Arrival("monthly", "2026-03", "09313", DEADLINE, False)
    async with transactions() as stores:
        await stores.ledger.add_planned([reminder, overdue, due("09292", "overdue")], DEADLINE)
        (sent,) = await stores.ledger.claim_due(DEADLINE - timedelta(days=2), 10)
        await stores.ledger.finish([LedgerDone(sent.id, "sent")], DEADLINE)
    async with transactions() as stores:
        kinds = await stores.take_report("r", first, arrival, [reminder, overdue, escalation], NOW, "report")
        assert sorted(kinds or []) == ["escalation", "overdue"]  # the sent reminder stays sent
        assert await stores.take_report("r", first, arrival, [reminder, overdue], NOW, "report") is None
    async with transactions() as stores:
        later = dataclasses.replace(arrival, received_at=DEADLINE + timedelta(days=1), on_time=True)
        assert (
            await stores.take_report("r", correction, later, [reminder, overdue, escalation], NOW, "x") == []
        )
        other_arrival = Arrival("monthly", "2026-02", "09292", DEADLINE, True)
        assert await stores.take_report("r", other, other_arrival, [], NOW, "report") == []
    async with transactions() as stores:
        assert await stores.ledger.arrivals("monthly", "2026-03") == {"09313": False}
        assert await stores.ledger.arrivals("monthly", "2026-02") == {"09292": True}
        assert await stores.ledger.overdue_units("monthly", "2026-03") == (["09292"], 2)
        assert await stores.ledger.pending_by_kind() == {"overdue": 1}
