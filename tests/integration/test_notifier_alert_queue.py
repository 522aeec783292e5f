"""Contract of the per-recipient alert queue (`AlertQueue` in `notifier.service_layer.ports`): the same
assertions on the in-memory fake (tests/support/notifier_fakes.py) and on PostgreSQL
(`notifier.adapters.alert_queue`)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from notifier.domain.records import NewAlertItem, Violation
from notifier.service_layer.ports import Stores, Transactions
from support.events import TZ
from support.notifier_stores import both_stores

transactions = both_stores()
NOW = datetime(2026, 3, 16, 9, tzinfo=TZ)


async def violation(stores: Stores, unit: str) -> int:
    return await stores.violations.open(
        Violation(0, unit, "c", NOW - timedelta(days=1), 1, 1, "at_risk", "at_risk", NOW, {"n": 1})
    )


def item(violation_id: int, address: str, due: datetime, kind: str = "kpi_below_target") -> NewAlertItem:
    return NewAlertItem(
        violation_id, kind, "09313", "c", "at_risk", "email", address, "Chủ tịch", {"n": 1},
        f"{violation_id}:{kind}:{address}:{due.isoformat()}", due,
    )  # fmt: skip


async def test_items_queue_once_and_are_claimed_by_recipient_oldest_first(transactions: Transactions) -> None:
    async with transactions() as stores:
        v = await violation(stores, "09313")
        late, early = item(v, "a@x.vn", NOW), item(v, "a@x.vn", NOW - timedelta(minutes=5))
        assert await stores.alert_queue.add(late)
        assert not await stores.alert_queue.add(late)  # the same idempotency key: nothing added
        assert await stores.alert_queue.add(early)
        assert await stores.alert_queue.add(item(v, "b@x.vn", NOW - timedelta(minutes=1)))
        assert await stores.alert_queue.add(item(v, "c@x.vn", NOW + timedelta(hours=1)))
    async with transactions() as stores:
        due = await stores.alert_queue.due_recipients(NOW, 10)
        assert due == [("email", "a@x.vn"), ("email", "b@x.vn")]
        assert await stores.alert_queue.due_recipients(NOW, 1) == [("email", "a@x.vn")]
        claimed = await stores.alert_queue.claim("email", "a@x.vn", NOW)
    assert [(i.violation_id, i.recipient_name, i.snapshot) for i in claimed] == [
        (v, "Chủ tịch", {"n": 1})
    ] * 2
    assert claimed[0].id != claimed[1].id
    assert claimed[0].opened_at == NOW - timedelta(days=1)  # the violation's opening


async def test_finished_and_cancelled_items_leave_the_queue(transactions: Transactions) -> None:
    notification = uuid.uuid4()
    async with transactions() as stores:
        v, w = await violation(stores, "09313"), await violation(stores, "09292")
        for address in ("a@x.vn", "b@x.vn"):
            await stores.alert_queue.add(item(v, address, NOW))
        await stores.alert_queue.add(item(v, "a@x.vn", NOW, "kpi_repeat"))
        await stores.alert_queue.add(item(w, "c@x.vn", NOW))
        await stores.alert_queue.cancel_pending(v, ("kpi_repeat",), NOW)
    async with transactions() as stores:
        a = await stores.alert_queue.claim("email", "a@x.vn", NOW)
        assert [i.kind for i in a] == ["kpi_below_target"]
        await stores.alert_queue.finish([i.id for i in a], "grouped", NOW, notification)
        b = await stores.alert_queue.claim("email", "b@x.vn", NOW)
        await stores.alert_queue.finish([i.id for i in b], "inhibited", NOW)
    async with transactions() as stores:
        assert await stores.alert_queue.due_recipients(NOW, 10) == [("email", "c@x.vn")]
        assert await stores.alert_queue.claim("email", "a@x.vn", NOW) == []
        assert await stores.alert_queue.inhibited_deliveries(v) == {("email", "b@x.vn")}
        assert await stores.alert_queue.inhibited_deliveries(w) == set()
