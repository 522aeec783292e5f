"""The alert use case on the in-memory stores (tests/support/notifier_fakes.py): a violation opens,
repeats, resolves with a recovery notice, and the province's violation mutes its units' alerts.

The same flows run end to end on NATS and PostgreSQL in tests/integration/test_notifier_violations.py;
here they are fast and say what the use case decides, store by store.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from notifier.adapters.directory_files import default_rules
from notifier.adapters.messages import Messages
from notifier.domain.alerts import AlertPolicy
from notifier.domain.directory import ContactFields, StoredContact
from notifier.entrypoints.workers.alert_tick import AlertTick
from notifier.service_layer.alert_groups import AlertGroups
from notifier.service_layer.alerts import AckResult, AlertService
from support.events import TZ, attainment_update
from support.notifier_fakes import FakeDatabase

START = datetime(2026, 3, 16, 9, tzinfo=TZ)
POLICY = AlertPolicy(repeat_interval=timedelta(days=7), group_wait=timedelta(seconds=30), province="24")
CHAIRMAN = ContactFields("09313", "chairman", "Chủ tịch Chi Lăng", "ct.09313@x.vn", None, None, "email")
OTHER_CHAIRMAN = ContactFields("09292", "chairman", "Chủ tịch Phù Lãng", "ct.09292@x.vn", None, None, "email")
OPERATOR = ContactFields("24", "department_operator", "Sở KH&CN", "so@x.vn", None, None, "email")
OPERATOR_OF_09313 = ContactFields("09313", "department_operator", "Sở KH&CN", "so@x.vn", None, None, "email")


class Alerts:
    """The alert service and the alert tick's groups on one fake database and clock."""

    def __init__(self, *contacts: ContactFields) -> None:
        self.db, self.clock = FakeDatabase(), FixedClock(START)
        directory = self.db.committed.directory
        directory.routing = default_rules()
        directory.people = {i: StoredContact(i, c) for i, c in enumerate(contacts, 1)}
        self.service = AlertService(self.db.transaction, self.clock, POLICY)
        self.groups = AlertGroups(
            self.db.transaction,
            Messages(load_catalogue()),
            self.clock,
            POLICY,
            lambda v, r: f"https://ack/{v}",
        )

    async def kpi(self, unit: str, sequence: int, status: str) -> int | None:
        return await self.service.apply(attainment_update(unit, sequence, status, None))

    async def send(self, after: timedelta = timedelta(seconds=31)) -> list[tuple[str, str, str]]:
        """Move the clock past the group wait, run the tick; (recipient, kind, subject) sent."""
        before = set(self.db.committed.notifications.rows)
        self.clock.set(self.clock.now() + after)
        await self.groups.repeat_due()
        await self.groups.send_due()
        rows = self.db.committed.notifications.rows
        return sorted((r["recipient"], r["kind"], r["unit_code"]) for k, r in rows.items() if k not in before)

    def violation(self, unit: str) -> tuple[str, str | None, int]:
        (v,) = [v for v in self.db.committed.violations.rows.values() if v.unit_code == unit]
        return v.last_status, v.resolved_status, v.repeats


async def test_a_bad_status_opens_a_violation_and_alerts_the_unit_once() -> None:
    alerts = Alerts(CHAIRMAN)
    assert await alerts.kpi("09313", 1, "at_risk") == 1  # one item queued, for the chairman
    assert await alerts.kpi("09313", 2, "at_risk") == 0  # same status: fresher figures, no news
    assert await alerts.send() == [("ct.09313@x.vn", "kpi_below_target", "09313")]
    assert await alerts.send() == []
    assert alerts.violation("09313") == ("at_risk", None, 0)


async def test_redeliveries_and_late_updates_change_nothing() -> None:
    alerts = Alerts(CHAIRMAN)
    event = attainment_update("09313", 5, "at_risk", None)
    assert await alerts.service.apply(event) == 1
    assert await alerts.service.apply(event) is None  # a redelivery
    assert await alerts.kpi("09313", 4, "on_track") == 0  # older than what decided
    assert alerts.violation("09313") == ("at_risk", None, 0)


async def test_the_alert_repeats_each_interval_until_acknowledged() -> None:
    alerts = Alerts(CHAIRMAN)
    await alerts.kpi("09313", 1, "off_track")
    await alerts.send()
    assert await alerts.send(timedelta(days=7)) == []  # the repeat is queued: it waits the group wait
    assert await alerts.send() == [("ct.09313@x.vn", "kpi_repeat", "09313")]
    assert alerts.violation("09313")[2] == 1
    (violation_id,) = alerts.db.committed.violations.rows
    assert await alerts.service.acknowledge(violation_id, "ct.09313@x.vn") is AckResult.DONE
    await alerts.send(timedelta(days=7))
    assert await alerts.send() == []
    assert alerts.violation("09313")[2] == 1
    assert await alerts.service.acknowledge(10**6, "x") is AckResult.NOT_FOUND


async def test_a_changed_status_alerts_again_and_resolving_sends_a_recovery_notice() -> None:
    alerts = Alerts(CHAIRMAN)
    await alerts.kpi("09313", 1, "at_risk")
    await alerts.send()
    assert await alerts.kpi("09313", 2, "off_track") == 1
    assert await alerts.send() == [("ct.09313@x.vn", "kpi_below_target", "09313")]
    assert await alerts.kpi("09313", 3, "on_track") == 1
    assert await alerts.send() == [("ct.09313@x.vn", "kpi_recovered", "09313")]
    assert alerts.violation("09313") == ("off_track", "on_track", 0)
    (violation_id,) = alerts.db.committed.violations.rows
    assert await alerts.service.acknowledge(violation_id, "x") is AckResult.RESOLVED


async def test_no_recovery_notice_for_a_violation_nobody_was_told_of() -> None:
    alerts = Alerts(CHAIRMAN)
    await alerts.kpi("09313", 1, "at_risk")
    assert await alerts.kpi("09313", 2, "achieved") == 0  # resolved within the group wait
    assert await alerts.send() == []  # and its pending alert was withdrawn


async def test_the_province_mutes_its_units_for_the_operator_not_for_the_chairman() -> None:
    alerts = Alerts(CHAIRMAN, OTHER_CHAIRMAN, OPERATOR, OPERATOR_OF_09313)
    await alerts.kpi("09313", 1, "at_risk")
    await alerts.kpi("24", 1, "at_risk")
    sent = await alerts.send()
    assert sent == [
        ("ct.09313@x.vn", "kpi_below_target", "09313"),  # he hears of his own unit
        ("so@x.vn", "kpi_below_target", "24"),  # the operator: the province's alert only
    ]
    assert alerts.violation("09313")[0] == "at_risk"
    (muted,) = [v for v in alerts.db.committed.violations.rows.values() if v.unit_code == "09313"]
    assert muted.inhibited_by is not None
    # The province changes status: the muted unit is news again, to those it was muted for.
    queued = await alerts.kpi("24", 2, "off_track")
    assert queued is not None and queued >= 2  # the province's alert, and the released unit's
    assert await alerts.send() == [("so@x.vn", "kpi_below_target", "24")]  # one message: both units
    items = alerts.db.committed.alert_queue.rows.values()
    assert {(q.item.unit_code, q.state) for q in items if q.item.address == "so@x.vn"} == {
        ("09313", "inhibited"),  # muted the first time
        ("09313", "grouped"),  # released: in the message with the province's new status
        ("24", "grouped"),
    }


async def test_the_alert_tick_runs_again_at_once_only_while_one_of_its_batches_was_full() -> None:
    alerts = Alerts(CHAIRMAN, OTHER_CHAIRMAN)
    for unit in ("09313", "09292", "09301"):
        await alerts.kpi(unit, 1, "at_risk")
    await alerts.send()
    tick = AlertTick(alerts.groups, poll_seconds=60, batch=2)
    alerts.clock.set(alerts.clock.now() + timedelta(days=7))
    assert (await tick.run_once(), tick.more_after(2)) == (2, True)  # two of the three repeats: go again
    assert (await tick.run_once(), tick.more_after(1)) == (1, False)  # the third: everything due is done
    assert [v.repeats for v in alerts.db.committed.violations.rows.values()] == [1, 1, 1]
    alerts.clock.set(alerts.clock.now() + timedelta(seconds=31))
    assert (await tick.run_once(), tick.more_after(2)) == (2, True)  # two recipients' groups: full
    assert (await tick.run_once(), tick.more_after(0)) == (0, False)
