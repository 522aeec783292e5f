"""Contract of the notifications store and the transaction's idempotency record (`Notifications`,
`Stores.first_time` in `notifier.service_layer.ports`): the same assertions on the in-memory fake
(tests/support/notifier_fakes.py) and on PostgreSQL (`notifier.adapters.notification_store`, `stores`)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from notifier.domain.records import NewNotification
from notifier.service_layer.ports import Transactions
from support.events import TZ
from support.notifier_stores import both_stores

transactions = both_stores()
NOW = datetime(2026, 3, 16, 9, tzinfo=TZ)


def intent(
    key: str, channel: str = "email", at: datetime = NOW, id: uuid.UUID | None = None
) -> NewNotification:
    source = uuid.uuid4()
    return NewNotification(
        idempotency_key=key,
        unit_code="09313",
        kind="deadline_reminder",
        channel=channel,
        recipient="a@x.vn",
        subject="Nhắc hạn",
        body_text="Nội dung",
        body_html=None,
        created_at=at,
        next_attempt_at=at,
        source_event_id=source,
        correlation_id=source,
        id=id,
    )


async def test_an_intent_is_stored_once_and_claimed_when_due(transactions: Transactions) -> None:
    chosen = uuid.uuid4()
    async with transactions() as stores:
        await stores.notifications.add(intent("k2", at=NOW - timedelta(minutes=1), id=chosen))
        await stores.notifications.add(intent("k2", at=NOW - timedelta(minutes=9)))  # same key: nothing
        await stores.notifications.add(intent("k1", at=NOW - timedelta(minutes=2)))
        await stores.notifications.add(intent("k3", at=NOW + timedelta(minutes=5)))
        await stores.notifications.add(intent("s1", channel="sms"))
    async with transactions() as stores:
        first = await stores.notifications.claim_next("email", NOW)
        assert first is not None and (first.idempotency_key, first.status, first.attempts) == (
            "k1",
            "pending",
            0,
        )
        await stores.notifications.mark(first.id, status="sent", attempts=1, sent_at=NOW)
    async with transactions() as stores:
        second = await stores.notifications.claim_next("email", NOW)
        assert second is not None and (second.id, second.idempotency_key) == (chosen, "k2")
        await stores.notifications.mark(second.id, attempts=1, next_attempt_at=NOW + timedelta(minutes=1))
    async with transactions() as stores:
        assert await stores.notifications.claim_next("email", NOW) is None  # k2 waits, k3 is not due
        later = await stores.notifications.claim_next("email", NOW + timedelta(minutes=5))
        assert later is not None and (later.idempotency_key, later.attempts) == ("k2", 1)
        sms = await stores.notifications.claim_next("sms", NOW)
        assert sms is not None and sms.channel == "sms"


async def test_an_event_is_first_seen_once_per_consumer(transactions: Transactions) -> None:
    event_id = uuid.uuid4()
    async with transactions() as stores:
        assert await stores.first_time("notifier-kpi", event_id)
        assert not await stores.first_time("notifier-kpi", event_id)
        assert await stores.first_time("notifier-reports", event_id)
    with pytest.raises(RuntimeError):
        async with transactions() as stores:
            new = uuid.uuid4()
            assert await stores.first_time("notifier-kpi", new)
            await stores.notifications.add(intent("k9"))
            raise RuntimeError("after the writes")
    async with transactions() as stores:
        assert not await stores.first_time("notifier-kpi", event_id)
        assert await stores.first_time("notifier-kpi", new)  # rolled back: not seen
        assert await stores.notifications.claim_next("email", NOW) is None
