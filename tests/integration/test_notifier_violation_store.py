"""Contract of the alert use case's violation stores (`Violations`, `LastStatuses` in
`notifier.service_layer.ports`): the same assertions on the in-memory fake (tests/support/notifier_fakes.py)
and on PostgreSQL (`notifier.adapters.violation_store`)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from notifier.domain.alerts import OpenViolation
from notifier.domain.records import Violation
from notifier.service_layer.ports import Transactions
from support.events import TZ
from support.notifier_stores import both_stores

transactions = both_stores()
NOW = datetime(2026, 3, 16, 9, tzinfo=TZ)


def opened(unit: str, indicator: str = "c", status: str = "at_risk", repeat_in_days: int = 7) -> Violation:
    return Violation(
        id=0, unit_code=unit, indicator=indicator, opened_at=NOW, opened_sequence=1, last_sequence=1,
        worst_status=status, last_status=status, status_changed_at=NOW, snapshot={"status": status},
        next_repeat_at=NOW + timedelta(days=repeat_in_days),
    )  # fmt: skip


async def test_the_last_status_is_kept_per_unit_and_indicator(transactions: Transactions) -> None:
    async with transactions() as stores:
        assert await stores.last_statuses.get("09313", "c") is None
        await stores.last_statuses.save("09313", "c", "at_risk", 3)
        await stores.last_statuses.save("09313", "c", "off_track", 4)
        await stores.last_statuses.save("09292", "c", "on_track", 1)
    async with transactions() as stores:
        assert await stores.last_statuses.get("09313", "c") == ("off_track", 4)
        assert await stores.last_statuses.get("09313", "d") is None


async def test_a_violation_opens_changes_and_resolves(transactions: Transactions) -> None:
    async with transactions() as stores:
        first = await stores.violations.open(opened("09313"))
        other = await stores.violations.open(opened("09313", "d", "off_track"))
    async with transactions() as stores:
        found = await stores.violations.open_for("09313", "c")
        assert found == dataclasses.replace(opened("09313"), id=first)
        await stores.violations.change(first, last_status="off_track", repeats=2, acknowledged_by="op")
    async with transactions() as stores:
        changed = await stores.violations.get(first)
        assert changed is not None
        assert (changed.last_status, changed.repeats, changed.acknowledged_by) == ("off_track", 2, "op")
        assert await stores.violations.open_in("09313") == [
            OpenViolation(first, "09313", "c", "off_track"),
            OpenViolation(other, "09313", "d", "off_track"),
        ]
        await stores.violations.change(first, resolved_at=NOW, resolved_status="on_track")
    async with transactions() as stores:
        assert await stores.violations.open_for("09313", "c") is None
        assert [v.id for v in await stores.violations.open_in("09313")] == [other]
        assert await stores.violations.get(first, lock=True) is not None  # resolved, still there
        assert await stores.violations.get(10**9) is None
        again = await stores.violations.open(opened("09313"))  # a new condition: a new violation
    assert again not in (first, other)


async def test_repeats_fall_due_in_order_and_the_province_mutes(transactions: Transactions) -> None:
    async with transactions() as stores:
        later = await stores.violations.open(opened("09313", repeat_in_days=2))
        sooner = await stores.violations.open(opened("09292", repeat_in_days=1))
        await stores.violations.open(opened("07699", repeat_in_days=9))
        province = await stores.violations.open(opened("24"))
        await stores.violations.change(later, inhibited_by=province)
        await stores.violations.change(sooner, inhibited_by=province)
    async with transactions() as stores:
        due = await stores.violations.due_repeats(NOW + timedelta(days=3), 10)
        assert [v.id for v in due] == [sooner, later]
        assert [v.id for v in await stores.violations.due_repeats(NOW + timedelta(days=3), 1)] == [sooner]
        assert [v.id for v in await stores.violations.muted_by(province)] == sorted([later, sooner])
        await stores.violations.change(sooner, resolved_at=NOW)
    async with transactions() as stores:
        assert [v.id for v in await stores.violations.muted_by(province)] == [later]  # open ones only


async def test_a_transaction_that_raises_keeps_nothing(transactions: Transactions) -> None:
    with pytest.raises(RuntimeError):
        async with transactions() as stores:
            await stores.violations.open(opened("09313"))
            await stores.last_statuses.save("09313", "c", "at_risk", 1)
            raise RuntimeError("after the writes")
    async with transactions() as stores:
        assert await stores.violations.open_for("09313", "c") is None
        assert await stores.last_statuses.get("09313", "c") is None
