"""The deadline ledger's use cases: plan what falls due, cancel it when a report arrives, and turn
what is due into notification intents (sent by the channel dispatchers, like every notification)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import structlog

from bdhvs_shared.catalogue import Catalogue, Form, Period, PeriodError
from bdhvs_shared.clock import Clock
from bdhvs_shared.events import ReportAccepted
from notifier.adapters.messages import Messages
from notifier.domain.consumer_memory import ArrivalMemory
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.ledger import LedgerPolicy
from notifier.domain.ledger_plan import plan, plan_periods, unit_items
from notifier.domain.records import Arrival
from notifier.service_layer.ledger_notices import LedgerNotices
from notifier.service_layer.ports import Transactions

log = structlog.get_logger(__name__)

REPORTS_CONSUMER = "notifier-reports"
BATCH = 50  # ledger rows claimed per transaction


@dataclass(frozen=True)
class TickResult:
    handled: int = 0  # ledger rows sent, skipped or found without recipients
    queued: int = 0  # notifications queued for the dispatchers
    outcomes: tuple[tuple[str, str], ...] = ()  # (ledger kind, sent | collapsed | skipped) per row


@dataclass(frozen=True)
class _PlanScope:
    """What a plan covered. The catalogue by identity: a published catalogue replaces it
    (entrypoints/workers/catalogue.py), and then everything is planned again."""

    catalogue: Catalogue
    forms: tuple[Form, ...]
    periods: frozenset[tuple[str, Period]]

    def same(self, other: _PlanScope) -> bool:
        return (
            self.catalogue is other.catalogue and self.forms == other.forms and self.periods == other.periods
        )


@dataclass
class DeadlineLedger:
    transactions: Transactions
    catalogue: Catalogue
    messages: Messages
    clock: Clock
    policy: LedgerPolicy
    forms: Sequence[Form]
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    go_live: datetime | None = None  # LEDGER_GO_LIVE; None: the ledger's first start (stored)
    arrived: ArrivalMemory = field(default_factory=ArrivalMemory)  # this process's; a miss asks the database
    _tz: ZoneInfo = field(init=False)
    _planned: _PlanScope | None = field(init=False, default=None)  # what the last plan covered

    def __post_init__(self) -> None:
        self._tz = ZoneInfo(self.catalogue.timezone)

    async def plan(self) -> int:
        """Add the current and previous period's items of every form; returns how many were new."""
        now = self.clock.now()
        scope = self._plan_scope(now)
        async with self.transactions() as stores:
            go_live = self.go_live or await stores.ledger.first_start(now)
            items = plan(self.catalogue, self.forms, now, self.policy, go_live)
            added = await stores.ledger.add_planned(items, now)
        self._planned = scope
        if added:
            log.info("deadline ledger planned", added=added, considered=len(items))
        return added

    async def plan_if_new(self) -> int:
        """`plan`, unless it already ran for the same periods, catalogue and forms (a new day in the
        same periods would add nothing: `domain/ledger_plan.plan_periods`)."""
        if self._planned is not None and self._planned.same(self._plan_scope(self.clock.now())):
            return 0
        return await self.plan()

    def _plan_scope(self, now: datetime) -> _PlanScope:
        periods = plan_periods(self.forms, now.astimezone(self._tz).date())
        return _PlanScope(self.catalogue, tuple(self.forms), periods)

    async def cancel(self, event: ReportAccepted) -> list[str] | None:
        """A report for (unit, form, period) cancels what is pending for it, and its arrival is kept
        (for the consolidation reminder's missing and late lists). A report that changes nothing in the
        ledger (a form it does not follow, another revision of a report already taken) costs no
        transaction (`domain/consumer_memory.py`).

        Returns the kinds of the items cancelled, or None for a redelivery.
        """
        form = next((f for f in self.forms if f.code == event.form), None)
        try:
            period = Period.parse(event.period)
        except PeriodError:
            return []  # intake validated it; a period we cannot read has nothing in the ledger
        if form is None or period.type is not form.period_type:
            return []
        key = (form.code, str(period), event.unit_code)
        taken_by = self.arrived.taken_by(*key)
        if taken_by is not None:
            return None if taken_by == event.event_id else []  # a redelivery, or another revision
        arrival = Arrival(*key, event.received_at, event.on_time)
        items = unit_items(form, period, event.unit_code, self.policy, self._tz, self.catalogue.workdays)
        note = f"report received (revision {event.revision})"
        async with self.transactions() as stores:
            kinds = await stores.take_report(
                REPORTS_CONSUMER, event.event_id, arrival, items, self.clock.now(), note
            )
        self.arrived.learn(*key, event.event_id)  # committed: now, or by its first delivery
        return kinds

    async def process_due(self, batch: int = BATCH) -> TickResult:
        """Claim due rows (SKIP LOCKED) and queue their notifications in the same transaction."""
        async with self.transactions() as stores:
            now = self.clock.now()
            notices = LedgerNotices(stores, self.catalogue, self.messages, self.delivery, self.clock)
            rows = await stores.ledger.claim_due(now, batch)
            await stores.directory.preload({row.unit_code for row in rows})
            queued, outcomes, done = 0, [], []
            for row in rows:
                count, outcome, end = await notices.handle(row)
                queued += count
                outcomes.append((row.kind, outcome))
                done.append(end)
            await stores.ledger.finish(done, now)
        return TickResult(len(rows), queued, tuple(outcomes))

    async def pending_by_kind(self) -> dict[str, int]:
        """Ledger items waiting to fall due, by kind (the tick's gauge)."""
        async with self.transactions() as stores:
            return await stores.ledger.pending_by_kind()
