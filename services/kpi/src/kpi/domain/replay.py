"""Folding accepted-report events into the observation store's rows (pure; used by rebuild and verify).

The same rule as the live upsert: per (unit, indicator, form, period) the highest
revision wins, and of two events with the same revision the first one seen stays.
So the result depends on the set of events, not on their order or duplicates
(revisions of one report are numbered uniquely by intake).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from uuid import UUID

from bdhvs_shared.events import ReportAccepted
from kpi.domain.projector import StoredObservation

Key = tuple[str, str, str, str]  # unit, indicator, form, period


def key_of(row: StoredObservation) -> Key:
    return (row.unit_code, row.indicator, row.form, row.period)


class ObservationFold:
    def __init__(self, indicators: Collection[str], keep_event_ids: bool = True) -> None:
        self._indicators = indicators
        self._keep_ids = keep_event_ids  # verify needs them; rebuild streams them to the database
        self.rows: dict[Key, StoredObservation] = {}
        self.event_ids: set[UUID] = set()

    def add(self, event: ReportAccepted) -> None:
        if self._keep_ids:
            self.event_ids.add(event.event_id)
        for indicator, value in event.values.items():
            if indicator not in self._indicators:
                continue  # as the live path: an indicator this catalogue does not know is skipped
            key: Key = (event.unit_code, indicator, event.form, event.period)
            current = self.rows.get(key)
            if current is not None and current.revision >= event.revision:
                continue
            self.rows[key] = StoredObservation(
                unit_code=event.unit_code,
                indicator=indicator,
                form=event.form,
                period=event.period,
                as_of=event.as_of,
                numerator=value.numerator,
                denominator=value.denominator,
                revision=event.revision,
                received_at=event.received_at,
                event_id=event.event_id,
            )

    def add_all(self, events: Iterable[ReportAccepted]) -> ObservationFold:
        for event in events:
            self.add(event)
        return self


ReceiptKey = tuple[str, str, str]  # unit, form, period


class ReceiptFold:
    """Report receipts from the events, by the live rule: the lowest revision seen decides
    `on_time` and the first receipt time, the highest the latest revision (any order)."""

    def __init__(self) -> None:
        self.rows: dict[ReceiptKey, dict[str, object]] = {}

    def add(self, event: ReportAccepted) -> None:
        key: ReceiptKey = (event.unit_code, event.form, event.period)
        row = self.rows.setdefault(
            key,
            {
                "unit_code": event.unit_code,
                "form": event.form,
                "period": event.period,
                "on_time": event.on_time,
                "first_revision": event.revision,
                "first_received_at": event.received_at,
                "latest_revision": event.revision,
                "latest_received_at": event.received_at,
                "deadline": event.deadline,
            },
        )
        if event.revision < row["first_revision"]:  # type: ignore[operator]
            row |= {
                "on_time": event.on_time,
                "first_revision": event.revision,
                "first_received_at": event.received_at,
            }
        if event.revision > row["latest_revision"]:  # type: ignore[operator]
            row |= {"latest_revision": event.revision, "latest_received_at": event.received_at}
