"""The deadline ledger's use cases: plan what falls due, cancel it when a report arrives, and turn
what is due into notification intents (sent by the channel dispatchers, like every notification)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.catalogue import Catalogue, Form, Period, PeriodError, as_of_date
from bdhvs_shared.clock import Clock
from bdhvs_shared.db.idempotency import first_time
from bdhvs_shared.events import ReportAccepted
from notifier.adapters import ledger_store
from notifier.adapters.directory import recipients_for
from notifier.adapters.messages import Messages
from notifier.adapters.tables import processed_events
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.intents import DeadlineFacts
from notifier.domain.ledger import (
    CONSOLIDATION,
    SUMMARY,
    LedgerPolicy,
    decide,
    notification_kind,
    plan,
    unit_items,
)
from notifier.service_layer.queueing import queue_to_recipient

log = structlog.get_logger(__name__)

REPORTS_CONSUMER = "notifier-reports"


@dataclass(frozen=True)
class TickResult:
    handled: int = 0  # ledger rows sent, skipped or found without recipients
    queued: int = 0  # notifications queued for the dispatchers
    outcomes: tuple[tuple[str, str], ...] = ()  # (ledger kind, sent | collapsed | skipped) per row


@dataclass
class DeadlineLedger:
    sessions: async_sessionmaker[AsyncSession]
    catalogue: Catalogue
    messages: Messages
    clock: Clock
    policy: LedgerPolicy
    forms: Sequence[Form]
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    _tz: ZoneInfo = field(init=False)

    def __post_init__(self) -> None:
        self._tz = ZoneInfo(self.catalogue.timezone)

    async def plan(self) -> int:
        """Add the current and previous period's items of every form; returns how many were new."""
        now = self.clock.now()
        items = plan(self.catalogue, self.forms, now, self.policy)
        async with self.sessions() as session, session.begin():
            added = await ledger_store.add_planned(session, items, now)
        if added:
            log.info("deadline ledger planned", added=added, considered=len(items))
        return added

    async def cancel(self, event: ReportAccepted) -> list[str] | None:
        """A report for (unit, form, period) cancels what is pending for it, and its arrival is kept
        (for the consolidation reminder's missing and late lists).

        Returns the kinds of the items cancelled, or None for a redelivery.
        """
        async with self.sessions() as session, session.begin():
            if not await first_time(session, processed_events, REPORTS_CONSUMER, event.event_id):
                return None
            form = next((f for f in self.forms if f.code == event.form), None)
            try:
                period = Period.parse(event.period)
            except PeriodError:
                return []  # intake validated it; a period we cannot read has nothing in the ledger
            if form is None or period.type is not form.period_type:
                return []
            await ledger_store.record_arrival(
                session, form.code, str(period), event.unit_code, event.received_at, event.on_time
            )
            items = unit_items(form, period, event.unit_code, self.policy, self._tz)
            note = f"report received (revision {event.revision})"
            return await ledger_store.cancel(session, items, self.clock.now(), note)

    async def process_due(self, batch: int = 50) -> TickResult:
        """Claim due rows (SKIP LOCKED) and queue their notifications in the same transaction."""
        async with self.sessions() as session, session.begin():
            now = self.clock.now()
            rows = await ledger_store.claim_due(session, now, batch)
            queued, outcomes = 0, []
            for row in rows:
                count, outcome = await self._handle(session, row)
                queued += count
                outcomes.append((row.kind, outcome))
        return TickResult(len(rows), queued, tuple(outcomes))

    async def _handle(self, session: AsyncSession, row: Any) -> tuple[int, str]:
        """Queue one due row's notifications; (how many, outcome)."""
        now = self.clock.now()
        decision = decide(row.kind, row.expires_at, now)
        if not decision.send:
            await ledger_store.finish(session, row.id, "skipped", now, decision.note)
            log.info(
                "stale reminder skipped", form=row.form, period=row.period, unit=row.unit_code, kind=row.kind
            )
            return 0, "collapsed"
        missing: tuple[str, ...] = ()
        late: tuple[str, ...] = ()
        expected = 0
        if row.kind == SUMMARY:
            units, expected = await ledger_store.overdue_units(session, row.form, row.period)
            missing = tuple(units)
        elif row.kind == CONSOLIDATION:
            missing, late, expected = await self._consolidation_lists(session, row.form, row.period)
        if row.kind in (SUMMARY, CONSOLIDATION) and not missing:
            await ledger_store.finish(session, row.id, "skipped", now, "every unit reported")
            return 0, "skipped"
        facts = DeadlineFacts(
            notification_kind(row.kind),
            row.form,
            row.period,
            row.unit_code,
            row.deadline,
            now,
            missing,
            expected,
            late,
            row.expires_at if row.kind == CONSOLIDATION else None,
        )
        queued = await self._queue(session, row, facts, now)
        note = None if queued else "no recipient for this unit and kind"
        await ledger_store.finish(session, row.id, "sent", now, note, queued)
        return queued, "sent"

    async def _consolidation_lists(
        self, session: AsyncSession, form_code: str, period_text: str
    ) -> tuple[tuple[str, ...], tuple[str, ...], int]:
        """(missing, late, expected) for a form and period: the expected reporters as of the period's
        as-of day, against the arrivals recorded from the reports."""
        form = self.catalogue.forms.get(form_code)
        if form is None:
            return (), (), 0
        period = Period.parse(period_text)
        expected = [
            u.code for u in self.catalogue.expected_reporters(form, on=as_of_date(period, form.as_of_day))
        ]
        arrived = await ledger_store.arrivals(session, form_code, period_text)
        missing = tuple(c for c in expected if c not in arrived)
        late = tuple(c for c in expected if arrived.get(c) is False)
        return missing, late, len(expected)

    async def _queue(self, session: AsyncSession, row: Any, facts: DeadlineFacts, now: Any) -> int:
        recipients = await recipients_for(session, row.unit_code, facts.kind, enabled=self.delivery.channels)
        source = uuid.uuid5(
            uuid.NAMESPACE_URL, f"bdhvs:ledger/{row.form}/{row.period}/{row.unit_code}/{row.kind}"
        )
        queued = 0
        for recipient in recipients:
            rendered = self.messages.deadline(facts, recipient.contact.name)
            queued += await queue_to_recipient(
                session,
                recipient,
                rendered,
                sms_keep_diacritics=self.delivery.keep_diacritics,
                # One per ledger item, channel and address: a second tick adds nothing.
                key=lambda channel, address: (
                    f"deadline:{row.form}:{row.period}:{row.unit_code}:{row.kind}:{channel}:{address.lower()}"
                ),
                unit_code=row.unit_code,
                kind=facts.kind,
                now=now,
                source_event_id=source,
                correlation_id=source,
                quiet=self.delivery.quiet_hours,
            )
        return queued
