"""One due ledger row → its notifications, in the tick's transaction: the stale reminder skipped,
the summary and the consolidation reminder with their lists (skipped when nothing is missing), a
message per recipient of the unit and kind."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import structlog

from bdhvs_shared.catalogue import Catalogue, Period, as_of_date
from bdhvs_shared.clock import Clock
from notifier.adapters.messages import Messages
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.intents import DeadlineFacts
from notifier.domain.ledger import CONSOLIDATION, SUMMARY, decide, missing_and_late, notification_kind
from notifier.domain.records import LedgerDone, LedgerRow
from notifier.service_layer.ports import Stores
from notifier.service_layer.queueing import Intent, queue_to_recipient

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class LedgerNotices:
    stores: Stores
    catalogue: Catalogue
    messages: Messages
    delivery: DeliveryPolicy
    clock: Clock

    async def handle(self, row: LedgerRow) -> tuple[int, str, LedgerDone]:
        """Queue one due row's notifications; (how many, outcome: sent, collapsed or skipped, how the
        row ends: the caller stores the ends of a tick's rows at once)."""
        now = self.clock.now()
        decision = decide(row.kind, row.expires_at, now)
        if not decision.send:
            log.info(
                "stale reminder skipped", form=row.form, period=row.period, unit=row.unit_code, kind=row.kind
            )
            return 0, "collapsed", LedgerDone(row.id, "skipped", decision.note)
        missing, late, expected = await self._lists(row)
        if row.kind in (SUMMARY, CONSOLIDATION) and not missing:
            return 0, "skipped", LedgerDone(row.id, "skipped", "every unit reported")
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
        queued = await self._queue(row, facts, now)
        note = None if queued else "no recipient for this unit and kind"
        return queued, "sent", LedgerDone(row.id, "sent", note, queued)

    async def _lists(self, row: LedgerRow) -> tuple[tuple[str, ...], tuple[str, ...], int]:
        """(missing, late, expected): the summary's by the overdue rows; the consolidation reminder's
        by the expected reporters as of the period's as-of day, against the arrivals recorded."""
        if row.kind == SUMMARY:
            units, count = await self.stores.ledger.overdue_units(row.form, row.period)
            return tuple(units), (), count
        form = self.catalogue.forms.get(row.form)
        if row.kind != CONSOLIDATION or form is None:
            return (), (), 0
        on = as_of_date(Period.parse(row.period), form.as_of_day)
        expected = [u.code for u in self.catalogue.expected_reporters(form, on=on)]
        arrived = await self.stores.ledger.arrivals(row.form, row.period)
        missing, late = missing_and_late(expected, arrived)
        return missing, late, len(expected)

    async def _queue(self, row: LedgerRow, facts: DeadlineFacts, now: datetime) -> int:
        recipients = await self.stores.directory.recipients_for(
            row.unit_code, facts.kind, enabled=self.delivery.channels
        )
        source = uuid.uuid5(
            uuid.NAMESPACE_URL, f"bdhvs:ledger/{row.form}/{row.period}/{row.unit_code}/{row.kind}"
        )

        def key(channel: str, address: str) -> str:  # one per ledger item, channel and address
            return f"deadline:{row.form}:{row.period}:{row.unit_code}:{row.kind}:{channel}:{address.lower()}"

        queued = 0
        for recipient in recipients:
            rendered = self.messages.deadline(facts, recipient.contact.name)
            intent = Intent(rendered, row.unit_code, facts.kind, source, now, self.catalogue.workdays)
            queued += await queue_to_recipient(self.stores, recipient, intent, self.delivery, key)
        return queued
