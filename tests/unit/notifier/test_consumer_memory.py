"""The consumers' memories (`domain/consumer_memory.py`): a KPI update or a report that changes nothing
costs no transaction, and the outcomes are those of taking every message to the database — the same
violations, queued alerts, notifications, ledger rows and arrivals — over a sequence with
redeliveries, late updates, a gap and a restart (the memory lost)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from bdhvs_shared.events import AttainmentUpdated, ReportAccepted
from notifier.adapters.directory_files import default_rules
from notifier.adapters.messages import Messages
from notifier.domain.alerts import AlertPolicy
from notifier.domain.consumer_memory import ArrivalMemory, StatusMemory, changes_nothing
from notifier.domain.directory import ContactFields, StoredContact
from notifier.domain.ledger import LedgerPolicy, ledger_forms
from notifier.service_layer.alert_groups import AlertGroups
from notifier.service_layer.alerts import AlertService
from notifier.service_layer.ledger import DeadlineLedger
from notifier.service_layer.ports import Stores
from support.events import TZ, attainment_update, report_accepted
from support.notifier_fakes import FakeDatabase

START = datetime(2026, 3, 16, 9, tzinfo=TZ)
CATALOGUE = load_catalogue()
PEOPLE = [
    ContactFields("09313", "chairman", "Chủ tịch Chi Lăng", "ct.09313@x.vn", None, None, "email"),
    ContactFields("09292", "chairman", "Chủ tịch Phù Lãng", "ct.09292@x.vn", None, None, "email"),
    ContactFields("24", "department_operator", "Sở KH&CN", "so@x.vn", None, None, "email"),
    ContactFields("09313", "clerk", "Văn thư Chi Lăng", "vt.09313@x.vn", None, None, "email"),
]


def test_only_the_next_update_with_the_same_good_status_changes_nothing() -> None:
    assert changes_nothing(("on_track", 4), 5, "on_track")
    assert changes_nothing(("achieved", 4), 5, "achieved")
    assert not changes_nothing(None, 5, "on_track")  # unknown: the database decides
    assert not changes_nothing(("on_track", 4), 6, "on_track")  # a gap: 5 may still come, and differ
    assert not changes_nothing(("on_track", 4), 4, "on_track")  # a redelivery or an older one
    assert not changes_nothing(("on_track", 4), 5, "achieved")  # the status changed
    assert not changes_nothing(("at_risk", 4), 5, "at_risk")  # open: the violation takes the figures


def test_the_memories_learn_only_forward_and_stay_within_their_limit() -> None:
    memory = StatusMemory(limit=2)
    memory.learn("09313", "c", "on_track", 4)
    memory.learn("09313", "c", "at_risk", 3)  # older than what it knows: ignored
    assert memory.skips("09313", "c", 5, "on_track") and memory.skips("09313", "c", 6, "on_track")
    memory.learn("09292", "c", "on_track", 1)
    memory.learn("24", "c", "on_track", 1)  # the oldest entry goes
    assert not memory.skips("09313", "c", 7, "on_track")
    assert memory.skips("24", "c", 2, "on_track")
    arrivals, event = ArrivalMemory(limit=1), uuid.uuid4()
    arrivals.learn("monthly", "2026-03", "09313", event)
    arrivals.learn("monthly", "2026-03", "09313", uuid.uuid4())  # the first taker stays
    assert arrivals.taken_by("monthly", "2026-03", "09313") == event
    arrivals.learn("monthly", "2026-03", "09292", event)
    assert arrivals.taken_by("monthly", "2026-03", "09313") is None


class Counted:
    """A fake database that counts the transactions opened."""

    def __init__(self) -> None:
        self.db, self.opened = FakeDatabase(), 0
        directory = self.db.committed.directory
        directory.routing = default_rules()
        directory.people = {i: StoredContact(i, c) for i, c in enumerate(PEOPLE, 1)}

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Stores]:
        self.opened += 1
        async with self.db.transaction() as stores:
            yield stores


def kpi_sequence() -> list[AttainmentUpdated | str]:
    """Updates of three units (the province mutes and releases), with redeliveries, late and missing
    ones; "restart" loses the memory, "send" runs the alert tick."""
    e = {
        (unit, seq): attainment_update(unit, seq, status, None)
        for unit, statuses in {
            "09313": "on_track on_track on_track at_risk at_risk on_track on_track on_track off_track "
            "achieved achieved achieved on_track on_track at_risk on_track",
            "09292": "achieved achieved at_risk at_risk off_track off_track on_track on_track on_track",
            "24": "on_track at_risk at_risk on_track on_track on_track",
        }.items()
        for seq, status in enumerate(statuses.split(), 1)
    }
    return [
        e["09313", 1], e["09313", 2], e["09313", 3], e["09313", 2], e["24", 1], e["09292", 1],
        e["09292", 2], e["09292", 2], e["24", 2], e["09313", 4], e["09313", 5], "send", e["09313", 6],
        e["09313", 7], e["09292", 3], e["24", 3], e["09313", 8], "restart", e["09313", 7], e["09313", 8],
        e["09292", 4], e["24", 4], "send", e["09313", 9], e["09292", 6], e["09292", 5], e["09313", 11],
        e["09313", 10], e["09313", 11], e["09313", 12], e["24", 5], e["24", 6], e["24", 5], "restart",
        e["09292", 7], e["09292", 8], e["09292", 9], e["09292", 8], e["09313", 13], e["09313", 14],
        e["09313", 13], e["09313", 16], e["09313", 15], "send",
    ]  # fmt: skip


async def alert_outcome(sequence: list[AttainmentUpdated | str], remember: bool) -> tuple[Any, int]:
    counted, clock = Counted(), FixedClock(START)
    policy = AlertPolicy(repeat_interval=timedelta(days=7), group_wait=timedelta(seconds=30), province="24")

    def service() -> AlertService:
        return AlertService(
            counted.transaction, clock, policy, memory=StatusMemory(limit=10 if remember else 0)
        )

    alerts = service()
    groups = AlertGroups(
        counted.transaction, Messages(CATALOGUE), clock, policy, lambda v, r: f"https://ack/{v}"
    )
    for step in sequence:
        clock.set(clock.now() + timedelta(minutes=1))
        if step == "restart":
            alerts = service()
        elif step == "send":
            clock.set(clock.now() + timedelta(days=7))
            await groups.repeat_due()
            clock.set(clock.now() + timedelta(seconds=31))
            await groups.send_due()
        else:
            assert isinstance(step, AttainmentUpdated)
            await alerts.apply(step)
    db = counted.db.committed
    statuses = {key: status for key, (status, _) in db.last_statuses.rows.items()}
    notifications = sorted(
        (r["recipient"], r["kind"], r["unit_code"], r["body_text"]) for r in db.notifications.rows.values()
    )
    return (db.violations.rows, db.alert_queue.rows, notifications, statuses), counted.opened


async def test_kpi_updates_that_change_nothing_skip_the_transaction_and_change_no_outcome() -> None:
    sequence = kpi_sequence()
    remembered, with_memory = await alert_outcome(sequence, remember=True)
    every_one, without = await alert_outcome(sequence, remember=False)
    assert remembered == every_one
    violations, queue, notifications, _ = remembered
    assert len(violations) >= 4 and len(queue) >= 4 and len(notifications) >= 3  # the sequence does alert
    assert with_memory < without  # fewer transactions: skipped updates


async def ledger_outcome(reports: list[ReportAccepted | str], remember: bool) -> tuple[Any, int]:
    counted, clock = Counted(), FixedClock(START)

    def ledger() -> DeadlineLedger:
        forms = ledger_forms(CATALOGUE, ["monthly"])
        memory = ArrivalMemory(limit=10 if remember else 0)
        return DeadlineLedger(
            counted.transaction, CATALOGUE, Messages(CATALOGUE), clock, LedgerPolicy(), forms, arrived=memory
        )

    deadlines = ledger()
    await deadlines.plan()
    for report in reports:
        clock.set(clock.now() + timedelta(minutes=1))
        if report == "restart":
            deadlines = ledger()
        else:
            assert isinstance(report, ReportAccepted)
            await deadlines.cancel(report)
    db = counted.db.committed
    return (
        {k: (e.row, e.note, e.done_at) for k, e in db.ledger.rows.items()},
        db.ledger.arrived,
    ), counted.opened


async def test_reports_that_change_nothing_in_the_ledger_skip_the_transaction_and_change_no_outcome() -> None:
    first = report_accepted("09313", "2026-03", {"c": (1, 2)}, on_time=False)
    correction = report_accepted(
        "09313", "2026-03", {"c": (2, 2)}, revision=2, received=START + timedelta(days=9)
    )
    other = report_accepted("09292", "2026-03", {"c": (1, 2)})
    weekly = report_accepted("09292", "2026-03", {"c": (1, 2)}, form="nope")
    reports: list[ReportAccepted | str] = [
        first, first, correction, weekly, "restart", correction, first, other, correction, other, weekly,
    ]  # fmt: skip
    remembered, with_memory = await ledger_outcome(reports, remember=True)
    every_one, without = await ledger_outcome(reports, remember=False)
    assert remembered == every_one
    rows, arrived = remembered
    assert arrived == {("monthly", "2026-03", "09313"): False, ("monthly", "2026-03", "09292"): True}
    assert {e[0].status for k, e in rows.items() if k[2] in ("09313", "09292")} == {"cancelled"}
    assert with_memory < without
