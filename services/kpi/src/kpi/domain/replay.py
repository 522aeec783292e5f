"""Folding accepted-report events into the observation store's rows (pure; used by rebuild and verify).

The same rule as the live upsert: per (unit, indicator, form, period) the highest
revision wins, and of two events with the same revision the first one seen stays.
So the result depends on the set of events, not on their order or duplicates
(revisions of one report are numbered uniquely by intake).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from kpi.domain.admission import future_reason
from kpi.domain.projector import StoredObservation
from kpi.domain.receipts import StoredReceipt, merge_receipt
from kpi.domain.replayed import ReplayedFigures, ReplayedReport, validated_report
from kpi.domain.reporting import Receipt

Key = tuple[str, str, str, str]  # unit, indicator, form, period


def key_of(row: StoredObservation) -> Key:
    return (row.unit_code, row.indicator, row.form, row.period)


class ObservationFold:
    def __init__(self, indicators: Collection[str], keep_event_ids: bool = True) -> None:
        self._indicators = indicators
        self._keep_ids = keep_event_ids  # verify needs them; rebuild streams them to the database
        # The winning event per key, made into rows once at the end: most events of a replay are
        # overtaken by a later revision, and a row per event was a fifth of the fold's time.
        self._latest: dict[Key, tuple[ReplayedReport, ReplayedFigures]] = {}
        self._rows: dict[Key, StoredObservation] | None = None
        self.event_ids: set[UUID] = set()

    def add(self, event: ReplayedReport) -> None:
        if self._keep_ids:
            self.event_ids.add(event.event_id)
        self._rows = None
        latest = self._latest
        for indicator, value in event.values.items():
            if indicator not in self._indicators:
                continue  # as the live path: an indicator this catalogue does not know is skipped
            key: Key = (event.unit_code, indicator, event.form, event.period)
            current = latest.get(key)
            if current is not None and current[0].revision >= event.revision:
                continue
            latest[key] = (event, value)

    def add_all(self, events: Iterable[ReplayedReport]) -> ObservationFold:
        for event in events:
            self.add(event)
        return self

    @property
    def rows(self) -> dict[Key, StoredObservation]:
        """The latest revision per (unit, indicator, form, period), as observation rows."""
        if self._rows is None:
            latest = self._latest.items()
            self._rows = {key: StoredObservation.of(event, key[1], value) for key, (event, value) in latest}
        return self._rows


ReceiptKey = tuple[str, str, str]  # unit, form, period


class ReceiptFold:
    """Report receipts from the events, by the live rule (`domain.receipts.merge_receipt`), in any order."""

    def __init__(self) -> None:
        self.receipts: dict[ReceiptKey, Receipt] = {}
        self.deadlines: dict[ReceiptKey, datetime] = {}  # the first seen, as the upsert keeps it

    def add(self, event: ReplayedReport) -> None:
        key: ReceiptKey = (event.unit_code, event.form, event.period)
        self.receipts[key] = merge_receipt(self.receipts.get(key), event)
        if key not in self.deadlines:
            self.deadlines[key] = event.deadline

    @property
    def rows(self) -> dict[ReceiptKey, StoredReceipt]:
        """The `report_receipts` rows, by (unit, form, period) (built on each call)."""
        return {key: self.row(key) for key in self.receipts}

    def row(self, key: ReceiptKey) -> StoredReceipt:
        r = self.receipts[key]
        return StoredReceipt(
            unit_code=key[0],
            form=key[1],
            period=key[2],
            on_time=r.on_time,
            first_revision=r.first_revision,
            first_received_at=r.first_received_at,
            latest_revision=r.latest_revision,
            latest_received_at=r.latest_received_at,
            deadline=self.deadlines[key],
        )


@dataclass
class ReportReplay:
    """Running counts of a replay of the REPORTS stream (rebuild, verify)."""

    events: int = 0
    skipped: int = 0  # messages that are not a valid ReportAccepted (the live consumer dead-letters them)
    future: int = 0  # reports dated in the future (the live consumer dead-letters them too)
    last_stream_sequence: int = 0
    total: int = 0  # messages on the stream when the replay started (progress)
    read_messages: int = 0  # messages read so far, valid or not

    def read(
        self,
        data: bytes,
        today: date,
        early_days: int = 0,
        decode: Callable[[bytes], ReplayedReport | None] = validated_report,
    ) -> ReplayedReport | None:
        """The report a message carries if the consumer would apply it on `today`; counted either way."""
        self.read_messages += 1
        event = decode(data)
        if event is None:
            self.skipped += 1
            return None
        if future_reason(event.as_of, today, early_days) is not None:
            self.future += 1
            return None
        return event
