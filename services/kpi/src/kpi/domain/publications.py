"""What the KPI service publishes when a snapshot changes (pure): the events and their subjects."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from bdhvs_shared.events import AttainmentUpdated, Event, StatusChanged, TargetInfo, subjects
from kpi.domain.snapshot import Snapshot

Staged = tuple[Event, str]  # an event and its subject, for the outbox


def publications(
    snapshot: Snapshot,
    previous_status: str | None,
    sequence: int,
    now: datetime,
    correlation_id: UUID,
) -> list[Staged]:
    """The snapshot's AttainmentUpdated, and a StatusChanged when the status is new or differs."""
    attainment = attainment_event(snapshot, previous_status, sequence, now, correlation_id)
    staged: list[Staged] = [(attainment, subjects.kpi_attainment(snapshot.unit_code, snapshot.indicator))]
    if previous_status != snapshot.status:
        status = StatusChanged.new(
            producer="kpi",
            correlation_id=correlation_id,
            occurred_at=now,
            unit_code=snapshot.unit_code,
            indicator=snapshot.indicator,
            sequence=sequence,
            from_status=previous_status,
            to_status=snapshot.status,
            as_of=snapshot.as_of,
            attainment=snapshot.attainment,
            projected_attainment=snapshot.projected,
            target=_target(snapshot),
        )
        staged.append((status, subjects.kpi_status(snapshot.unit_code, snapshot.indicator)))
    return staged


def attainment_event(
    s: Snapshot, previous: str | None, sequence: int, now: datetime, correlation_id: UUID
) -> AttainmentUpdated:
    return AttainmentUpdated.new(
        producer="kpi",
        correlation_id=correlation_id,
        occurred_at=now,
        unit_code=s.unit_code,
        indicator=s.indicator,
        sequence=sequence,
        as_of=s.as_of,
        numerator=s.numerator,
        denominator=s.denominator,
        attainment=s.attainment,
        pace_per_day=s.pace_per_day,
        pace_pp_per_30d=pp_per_30d(s.pace_per_day),
        projected_attainment=s.projected,
        required_pace_per_day=s.required_pace_per_day,
        required_pace_pp_per_30d=pp_per_30d(s.required_pace_per_day),
        status=s.status,
        previous_status=previous,
        target=_target(s),
        units_reporting=s.units_reporting,
        units_expected=s.units_expected,
    )


def snapshot_of_event(event: AttainmentUpdated) -> Snapshot:
    """The snapshot a published AttainmentUpdated carries (what subscribers last saw)."""
    return Snapshot(
        unit_code=event.unit_code,
        indicator=event.indicator,
        as_of=event.as_of,
        numerator=event.numerator,
        denominator=event.denominator,
        attainment=event.attainment,
        pace_per_day=event.pace_per_day,
        projected=event.projected_attainment,
        required_pace_per_day=event.required_pace_per_day,
        status=event.status,
        target_value=event.target.value if event.target else None,
        target_comparator=event.target.comparator if event.target else None,
        target_due=event.target.due if event.target else None,
        units_reporting=event.units_reporting,
        units_expected=event.units_expected,
    )


def pp_per_30d(per_day: float | None) -> float | None:
    return None if per_day is None else per_day * 30 * 100


def _target(s: Snapshot) -> TargetInfo | None:
    if s.target_value is None or s.target_comparator is None or s.target_due is None:
        return None
    return TargetInfo(value=s.target_value, comparator=s.target_comparator, due=s.target_due)  # type: ignore[arg-type]
