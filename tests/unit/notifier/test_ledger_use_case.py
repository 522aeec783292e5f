"""The deadline ledger's use cases on the in-memory stores (tests/support/notifier_fakes.py): what is
planned, what a report cancels, and what each tick turns into notifications — reminders, the overdue
notice, the escalation, the operators' summary, and a stale reminder skipped.

End to end (NATS, PostgreSQL, SMTP): tests/integration/test_notifier_ledger.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from notifier.adapters.directory_files import default_rules
from notifier.adapters.messages import Messages
from notifier.domain.directory import ContactFields, StoredContact
from notifier.domain.ledger import LedgerPolicy, ledger_forms
from notifier.service_layer.ledger import DeadlineLedger
from support.events import TZ, report_accepted
from support.notifier_fakes import FakeDatabase

CATALOGUE = load_catalogue()
PEOPLE = [
    ContactFields("09313", "clerk", "Văn thư Chi Lăng", "vt.09313@x.vn", None, None, "email"),
    ContactFields("09292", "clerk", "Văn thư Phù Lãng", "vt.09292@x.vn", None, None, "email"),
    ContactFields("09292", "chairman", "Chủ tịch Phù Lãng", "ct.09292@x.vn", None, None, "email"),
    ContactFields("24", "department_operator", "Sở KH&CN", "so@x.vn", None, None, "email"),
]


def march(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=TZ)


class Ledger:
    def __init__(self, start: datetime) -> None:
        self.db, self.clock = FakeDatabase(), FixedClock(start)
        directory = self.db.committed.directory
        directory.routing = default_rules()
        directory.people = {i: StoredContact(i, c) for i, c in enumerate(PEOPLE, 1)}
        forms = ledger_forms(CATALOGUE, ["monthly"])
        self.ledger = DeadlineLedger(
            self.db.transaction, CATALOGUE, Messages(CATALOGUE), self.clock, LedgerPolicy(), forms
        )

    async def tick(self, at: datetime) -> list[tuple[str, str]]:
        """(recipient, kind) of the notifications queued by a tick at `at`."""
        before = set(self.db.committed.notifications.rows)
        self.clock.set(at)
        await self.ledger.plan()
        await self.ledger.process_due(batch=10_000)
        rows = self.db.committed.notifications.rows
        return sorted((r["recipient"], r["kind"]) for k, r in rows.items() if k not in before)

    def status(self, unit: str, kind: str, period: str = "2026-03") -> str:
        return self.db.committed.ledger.rows[("monthly", period, unit, kind)].row.status


async def test_reminders_then_the_overdue_notice_the_summary_and_the_escalation() -> None:
    ledger = Ledger(march(16))
    assert await ledger.tick(march(16)) == []
    assert await ledger.ledger.pending_by_kind() != {}
    assert await ledger.tick(march(17)) == [
        ("vt.09292@x.vn", "deadline_reminder"),
        ("vt.09313@x.vn", "deadline_reminder"),
    ]
    assert await ledger.ledger.cancel(report_accepted("09313", "2026-03", {"c": (1, 2)})) == [
        "reminder_1d",
        "overdue",
        "escalation",
    ]
    assert await ledger.tick(march(19)) == [("vt.09292@x.vn", "deadline_reminder")]
    overdue = await ledger.tick(march(20))
    assert ("vt.09292@x.vn", "deadline_overdue") in overdue
    assert ("so@x.vn", "deadline_summary") in overdue
    assert ("so@x.vn", "operator_consolidation_reminder") in overdue  # 2 working days before Tuesday 24th
    assert ("vt.09313@x.vn", "deadline_overdue") not in overdue  # it reported
    assert await ledger.tick(march(22)) == []  # Sunday: nothing goes out
    # 2 working days after the overdue notice of Friday 20th: Tuesday 24th (was Sunday 22nd).
    assert await ledger.tick(march(24)) == [("ct.09292@x.vn", "deadline_escalation")]
    assert ledger.status("09313", "overdue") == "cancelled"
    assert ledger.status("09292", "escalation") == "sent"


async def test_a_notifier_that_was_down_skips_the_stale_reminders() -> None:
    ledger = Ledger(march(16))
    await ledger.tick(march(16))
    sent = await ledger.tick(march(20))  # down from the 16th to the deadline
    assert ("vt.09292@x.vn", "deadline_reminder") not in sent
    assert ("vt.09292@x.vn", "deadline_overdue") in sent
    assert (ledger.status("09292", "reminder_3d"), ledger.status("09292", "reminder_1d")) == (
        "skipped",
        "skipped",
    )


async def test_a_report_is_applied_once_and_the_summary_lists_the_missing() -> None:
    ledger = Ledger(march(16))
    await ledger.tick(march(16))
    report = report_accepted("09292", "2026-03", {"c": (1, 2)})
    assert await ledger.ledger.cancel(report) != []
    assert await ledger.ledger.cancel(report) is None  # a redelivery
    assert await ledger.ledger.cancel(report_accepted("09292", "2026-03", {"c": (1, 2)}, form="nope")) == []
    await ledger.tick(march(20))
    (summary,) = [
        r for r in ledger.db.committed.notifications.rows.values() if r["kind"] == "deadline_summary"
    ]
    assert "09313" in summary["body_text"] and "09292" not in summary["body_text"]


async def test_a_fresh_start_sends_no_deadline_mail_for_the_past() -> None:
    """The first start on Thursday 3 December 2026: week 48 (due by the end of Monday 30 November)
    and November's reports were due before the system existed; nobody is chased for them."""
    db, clock = FakeDatabase(), FixedClock(datetime(2026, 12, 3, 9, tzinfo=TZ))
    directory = db.committed.directory
    directory.routing = default_rules()
    directory.people = {i: StoredContact(i, c) for i, c in enumerate(PEOPLE, 1)}
    forms = ledger_forms(CATALOGUE)  # every commune form, the weekly one included
    ledger = DeadlineLedger(db.transaction, CATALOGUE, Messages(CATALOGUE), clock, LedgerPolicy(), forms)
    assert await ledger.plan() > 0  # this week's and this month's items are planned
    await ledger.process_due(batch=10_000)
    # Nothing about week 48 or November; and week 49 (due by the end of Monday 7th) may be reported
    # from Sunday 6th, so its reminder waits for Monday morning.
    assert not db.committed.notifications.rows
    clock.set(datetime(2026, 12, 7, 9, tzinfo=TZ))
    await ledger.process_due(batch=10_000)
    sent = db.committed.notifications.rows.values()
    # Only this week's reminder: no overdue notice, escalation or summary.
    assert sent and {r["kind"] for r in sent} == {"deadline_reminder"}
    assert {p for (_, p, _, _) in db.committed.ledger.rows} <= {
        "2026-W49",
        "2026-12",
        "2026-Q4",
        "2026-H2",
        "2026",
    }
    clock.set(datetime(2026, 12, 8, 9, tzinfo=TZ))  # Tuesday: week 49's overdue notice is real
    await ledger.plan()
    await ledger.process_due(batch=10_000)
    assert "deadline_overdue" in {r["kind"] for r in db.committed.notifications.rows.values()}
    assert db.committed.ledger.started == datetime(2026, 12, 3, 9, tzinfo=TZ)  # kept, not moved on


async def test_a_go_live_day_from_the_settings_wins_over_the_first_start() -> None:
    ledger = Ledger(march(23))
    ledger.ledger.go_live = datetime(2026, 3, 1, tzinfo=TZ)
    assert ("vt.09292@x.vn", "deadline_overdue") in await ledger.tick(march(23))  # due 20/3: chased


async def test_planning_when_a_period_begins_leaves_the_ledger_as_planning_every_day() -> None:
    """The tick plans only when the periods it covers change (or the catalogue does): every day of
    forty days, the ledger holds what planning every day would have put there."""
    every_day, on_new_periods = Ledger(march(2)), Ledger(march(2))
    for ledger in (every_day, on_new_periods):
        ledger.ledger.forms = ledger_forms(CATALOGUE, ["monthly", "youth_weekly"])
    planned = 0
    for day in range(40):
        at = march(2) + timedelta(days=day)
        every_day.clock.set(at)
        on_new_periods.clock.set(at)
        await every_day.ledger.plan()
        planned += bool(await on_new_periods.ledger.plan_if_new())
        assert on_new_periods.db.committed.ledger.rows.keys() == every_day.db.committed.ledger.rows.keys()
    assert planned == 7  # the first day (2 March), 4 new weeks in March, 1 April, 6 April's week


async def test_a_published_catalogue_is_planned_again() -> None:
    ledger = Ledger(march(16))
    assert await ledger.ledger.plan_if_new() > 0
    assert await ledger.ledger.plan_if_new() == 0  # same day, same periods: not planned again
    ledger.db.committed.ledger.rows.clear()
    ledger.ledger.catalogue = load_catalogue()  # what a catalogue switch does
    assert await ledger.ledger.plan_if_new() > 0
