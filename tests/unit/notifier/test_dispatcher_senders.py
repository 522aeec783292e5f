"""A channel's dispatcher with several senders (entrypoints/workers/dispatcher.py), on an in-memory
table that locks claimed rows as FOR UPDATE SKIP LOCKED does: the senders are in flight at once, each
with its own row in its own transaction; every row is sent once; a sender whose transaction fails
does not cut the others' attempts short, and its row stays pending."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from prometheus_client import CollectorRegistry, Counter

from bdhvs_shared.clock import FixedClock
from notifier.domain.channel import OutgoingMessage, Receipt
from notifier.domain.rate_limit import TokenBucket
from notifier.domain.records import Notification
from notifier.domain.retry import RetryPolicy
from notifier.entrypoints.workers.dispatcher import Dispatcher
from notifier.entrypoints.workers.precedence import TicksFirst
from notifier.service_layer.deliver import Delivery, DeliveryCounters
from notifier.service_layer.ports import Stores

NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)


class Table:
    """Committed rows, and the ids locked by open transactions."""

    def __init__(self, count: int) -> None:
        self.rows = {
            i: {
                "id": i,
                "idempotency_key": f"key-{n}",
                "unit_code": "09313",
                "kind": "reminder_3d",
                "channel": "email",
                "recipient": f"u{n}@x.example",
                "subject": "Nhắc nộp báo cáo",
                "body_text": "…",
                "body_html": None,
                "status": "pending",
                "attempts": 0,
                "created_at": NOW - timedelta(minutes=1),
                "next_attempt_at": NOW - timedelta(seconds=count - n),
                "correlation_id": uuid.uuid4(),
            }
            for n, i in enumerate(uuid.uuid4() for _ in range(count))
        }
        self.locked: set[uuid.UUID] = set()
        self.fail_mark_of: uuid.UUID | None = None
        self.claims = 0  # claim transactions begun

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Stores]:
        work = Work(self)
        try:
            yield cast(Stores, work)
            for row_id, values in work.marks.items():  # commit
                self.rows[row_id].update(values)
        finally:
            self.locked -= work.claimed  # commit or rollback: the locks go


class Work:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.claimed: set[uuid.UUID] = set()
        self.marks: dict[uuid.UUID, dict[str, Any]] = {}
        self.notifications = self

    async def claim_next(self, channel: str, now: datetime) -> Notification | None:
        self.table.claims += 1
        await asyncio.sleep(0)  # a round trip: other senders run meanwhile
        due = [
            r
            for r in self.table.rows.values()
            if r["status"] == "pending" and r["next_attempt_at"] <= now and r["id"] not in self.table.locked
        ]
        if not due:
            return None
        row = min(due, key=lambda r: r["next_attempt_at"])
        self.table.locked.add(row["id"])
        self.claimed.add(row["id"])
        fields = set(Notification.__dataclass_fields__)
        return Notification(**{k: v for k, v in row.items() if k in fields})

    async def any_due(self, channel: str, now: datetime) -> bool:
        return any(r["status"] == "pending" and r["next_attempt_at"] <= now for r in self.table.rows.values())

    async def mark(self, notification_id: uuid.UUID, **values: object) -> None:
        if notification_id == self.table.fail_mark_of:
            raise ConnectionResetError("the database went away")
        self.marks[notification_id] = values

    async def stage(self, events: object) -> None:
        return None


class HeldChannel:
    """Takes every message but answers only when released; counts what is in flight at once."""

    name = "email"

    def __init__(self, senders: int) -> None:
        self.in_flight: set[uuid.UUID] = set()
        self.most = 0
        self.received: list[uuid.UUID] = []
        self.all_in = asyncio.Event()
        self.go = asyncio.Event()
        self.go_first: uuid.UUID | None = None  # answered before the others are released
        self.first_answered = asyncio.Event()
        self._senders = senders

    async def send(self, message: OutgoingMessage) -> Receipt:
        self.in_flight.add(message.notification_id)
        self.received.append(message.notification_id)
        self.most = max(self.most, len(self.in_flight))
        if len(self.in_flight) == self._senders:
            self.all_in.set()
        if message.notification_id == self.go_first:
            await asyncio.sleep(0)
            self.first_answered.set()
        else:
            await self.go.wait()
        self.in_flight.discard(message.notification_id)
        return Receipt()

    async def close(self) -> None:
        return None


def dispatcher(
    table: Table,
    channel: HeldChannel,
    senders: int,
    precedence: TicksFirst | None = None,
    bucket: TokenBucket | None = None,
) -> Dispatcher:
    registry = CollectorRegistry()
    counters = DeliveryCounters(*(Counter(n, n, ["channel"], registry=registry) for n in ("s", "f", "r")))
    delivery = Delivery(
        table.transaction,
        channel,
        bucket or TokenBucket(1000.0, 1000, time.monotonic()),
        RetryPolicy(8, 5.0, 900.0),
        FixedClock(NOW),
        counters,
    )
    return Dispatcher(delivery, poll_seconds=0.05, senders=senders, precedence=precedence)


async def test_senders_send_at_once_each_its_own_row_and_every_row_once() -> None:
    table, channel = Table(10), HeldChannel(senders=4)
    run = asyncio.create_task(dispatcher(table, channel, senders=4).run_once())
    # (a bound, not a measure: senders that ran one after the other would never all be in)
    await asyncio.wait_for(channel.all_in.wait(), 30)
    assert len(channel.in_flight) == 4 and channel.in_flight == table.locked  # four rows, four locks
    channel.go.set()
    assert await run == 10
    assert channel.most == 4
    assert sorted(map(str, channel.received)) == sorted(map(str, table.rows))  # each row once
    assert all(r["status"] == "sent" and r["attempts"] == 1 for r in table.rows.values())
    assert not table.locked


async def test_a_failed_transaction_leaves_its_row_pending_and_the_others_finish() -> None:
    table, channel = Table(6), HeldChannel(senders=3)
    # The first row is answered at once, then its result cannot be written; the others are in flight.
    table.fail_mark_of = channel.go_first = min(table.rows.values(), key=lambda r: r["next_attempt_at"])["id"]
    run = asyncio.create_task(dispatcher(table, channel, senders=3).run_once())
    await asyncio.wait_for(channel.first_answered.wait(), 30)
    for _ in range(5):
        await asyncio.sleep(0)  # the failed transaction rolls back
    channel.go.set()
    with pytest.raises(ConnectionResetError):
        await run
    failed = table.rows[table.fail_mark_of]
    assert failed["status"] == "pending" and failed["attempts"] == 0  # rolled back: sent again later
    # The two senders in flight beside it finished their attempts (committed), none was cut short.
    assert sum(r["status"] == "sent" for r in table.rows.values()) >= 2
    assert not table.locked


async def test_an_idle_channel_costs_one_read_not_a_claim_per_sender() -> None:
    table, channel = Table(3), HeldChannel(senders=4)
    for row in table.rows.values():
        row["next_attempt_at"] = NOW + timedelta(minutes=5)  # queued for later (quiet hours, a retry)
    assert await dispatcher(table, channel, senders=4).run_once() == 0
    assert table.claims == 0 and channel.received == []


async def test_while_a_tick_runs_no_sender_claims_and_a_send_begun_finishes() -> None:
    table, channel, precedence = Table(4), HeldChannel(senders=2), TicksFirst()
    channel.go.set()
    with precedence.ticking():
        run = asyncio.create_task(dispatcher(table, channel, senders=2, precedence=precedence).run_once())
        for _ in range(20):
            await asyncio.sleep(0)
        assert table.claims == 0 and not run.done()  # waiting for the tick, holding no row
    assert await asyncio.wait_for(run, 30) == 4
    assert table.claims >= 4 and len(channel.received) == 4
    # A tick that starts while rows are in flight: those finish, no new claim until it ends.
    table, channel = Table(4), HeldChannel(senders=2)
    run = asyncio.create_task(dispatcher(table, channel, senders=2, precedence=precedence).run_once())
    await asyncio.wait_for(channel.all_in.wait(), 30)
    with precedence.ticking():
        claims = table.claims
        channel.go.set()
        for _ in range(20):
            await asyncio.sleep(0)
        assert len(channel.received) == 2 and table.claims == claims  # the two finished, none taken
    assert await asyncio.wait_for(run, 30) == 4


async def test_senders_held_back_by_a_tick_still_keep_the_rate_limit() -> None:
    """A tick that begins while the senders look at the rate limit: when it ends they do not all send
    on the one token they each saw (CI: 8 webhooks in 0.48 s at 4 a second, burst 4)."""
    table, channel, precedence = Table(4), HeldChannel(senders=4), TicksFirst()
    channel.go.set()
    bucket = TokenBucket(rate=0.01, burst=1, now=time.monotonic())  # one send now, the next in 100 s
    run = asyncio.create_task(dispatcher(table, channel, 4, precedence, bucket).run_once())
    await asyncio.sleep(0)  # past its first give_way: the senders are about to start
    with precedence.ticking():
        for _ in range(20):
            await asyncio.sleep(0)
    for _ in range(50):
        await asyncio.sleep(0)
    run.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await run
    assert len(channel.received) == 1


async def test_ticks_overlapping_keep_the_way_until_the_last_ends() -> None:
    precedence = TicksFirst()
    with precedence.ticking():
        with precedence.ticking():
            pass
        waiting = asyncio.create_task(precedence.give_way())
        await asyncio.sleep(0)
        assert not waiting.done()  # the ledger tick still runs after the alert tick ended
    await asyncio.wait_for(waiting, 30)
    await asyncio.wait_for(precedence.give_way(), 30)  # nothing runs: at once


def test_a_token_taken_for_nothing_is_given_back() -> None:
    bucket = TokenBucket(rate=1.0, burst=1, now=0.0)
    bucket.consume(0.0)
    assert bucket.delay(0.0) == pytest.approx(1.0)
    bucket.give_back()  # the claim found no row: nothing was sent
    assert bucket.delay(0.0) == 0
    bucket.give_back()
    bucket.consume(0.0)
    assert bucket.delay(0.0) == pytest.approx(1.0)  # never more than the burst
