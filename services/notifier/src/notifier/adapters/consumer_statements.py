"""The consumers' per-message statements, each one round trip: the processed id and its effect in one
statement (data-modifying CTEs run on one snapshot; a redelivery's id conflicts and nothing follows).

`take_update` (a KPI update): the processed id, the unit's last status when the update is newer (the
upsert locks the row, as the separate read FOR UPDATE did), and the open violation, locked, when it
was. `take_report` (a report): the processed id, the first arrival, and the ledger items cancelled
(pending rows become cancelled, missing rows are created cancelled).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from uuid import UUID

from sqlalchemy import ARRAY, Boolean, String, text
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import violations
from notifier.domain.ledger import DueItem
from notifier.domain.records import Arrival, TakenUpdate, Violation

_VIOLATION = [f.name for f in fields(Violation)]

_FRESH = """fresh AS (
    INSERT INTO notifier.processed_events (consumer, event_id) VALUES (:consumer, :event_id)
    ON CONFLICT DO NOTHING RETURNING event_id
)"""

TAKE_UPDATE = text(
    f"""WITH {_FRESH},
saved AS (
    INSERT INTO notifier.alert_state AS s (unit_code, indicator, status, sequence)
    SELECT CAST(:unit_code AS varchar), CAST(:indicator AS varchar), CAST(:status AS varchar),
           CAST(:sequence AS integer)
    WHERE EXISTS (SELECT FROM fresh)
    ON CONFLICT (unit_code, indicator) DO UPDATE SET status = excluded.status, sequence = excluded.sequence
    WHERE s.sequence < excluded.sequence
    RETURNING s.sequence
),
open AS (
    SELECT {", ".join(_VIOLATION)} FROM notifier.violations
    WHERE unit_code = :unit_code AND indicator = :indicator AND resolved_at IS NULL
      AND EXISTS (SELECT FROM saved)
    FOR UPDATE
)
SELECT EXISTS (SELECT FROM fresh) AS fresh, EXISTS (SELECT FROM saved) AS newer, open.*
FROM (SELECT) AS one LEFT JOIN open ON true"""
).columns(*[violations.c[name] for name in _VIOLATION], fresh=Boolean, newer=Boolean)

TAKE_REPORT = text(
    f"""WITH {_FRESH},
arrival AS (
    INSERT INTO notifier.report_arrivals (form, period, unit_code, received_at, on_time)
    SELECT CAST(:form AS varchar), CAST(:period AS varchar), CAST(:unit_code AS varchar),
           CAST(:received_at AS timestamptz), CAST(:on_time AS boolean)
    WHERE EXISTS (SELECT FROM fresh)
    ON CONFLICT DO NOTHING
),
cancelled AS (
    INSERT INTO notifier.deadline_ledger AS l
        (form, period, unit_code, kind, due_at, deadline, expires_at, status, note, created_at, done_at)
    SELECT i.form, i.period, i.unit_code, i.kind, i.due_at, i.deadline, i.expires_at,
           'cancelled', CAST(:note AS text), CAST(:now AS timestamptz), CAST(:now AS timestamptz)
    FROM unnest(CAST(:forms AS text[]), CAST(:periods AS text[]), CAST(:units AS text[]),
                CAST(:kinds AS text[]), CAST(:due AS timestamptz[]), CAST(:deadlines AS timestamptz[]),
                CAST(:expires AS timestamptz[]))
         AS i(form, period, unit_code, kind, due_at, deadline, expires_at)
    WHERE EXISTS (SELECT FROM fresh)
    ON CONFLICT (form, period, unit_code, kind)
    DO UPDATE SET status = 'cancelled', note = excluded.note, done_at = excluded.done_at
    WHERE l.status = 'pending'
    RETURNING l.kind
)
SELECT EXISTS (SELECT FROM fresh) AS fresh, ARRAY(SELECT kind FROM cancelled) AS kinds"""
).columns(fresh=Boolean, kinds=ARRAY(String))


async def take_update(
    session: AsyncSession,
    consumer: str,
    event_id: UUID,
    unit_code: str,
    indicator: str,
    status: str,
    sequence: int,
) -> TakenUpdate | None:
    params = {
        "consumer": consumer,
        "event_id": event_id,
        "unit_code": unit_code,
        "indicator": indicator,
        "status": status,
        "sequence": sequence,
    }
    row = (await session.execute(TAKE_UPDATE, params)).one()
    if not row.fresh:
        return None
    found = row._mapping
    violation = None if found["id"] is None else Violation(**{name: found[name] for name in _VIOLATION})
    return TakenUpdate(bool(row.newer), violation)


async def take_report(
    session: AsyncSession,
    consumer: str,
    event_id: UUID,
    arrival: Arrival,
    items: Sequence[DueItem],
    now: datetime,
    note: str,
) -> list[str] | None:
    params = {
        "consumer": consumer,
        "event_id": event_id,
        "form": arrival.form,
        "period": arrival.period,
        "unit_code": arrival.unit_code,
        "received_at": arrival.received_at,
        "on_time": arrival.on_time,
        "note": note,
        "now": now,
        "forms": [i.form for i in items],
        "periods": [i.period for i in items],
        "units": [i.unit_code for i in items],
        "kinds": [i.kind for i in items],
        "due": [i.due_at for i in items],
        "deadlines": [i.deadline for i in items],
        "expires": [i.expires_at for i in items],
    }
    row = (await session.execute(TAKE_REPORT, params)).one()
    return list(row.kinds) if row.fresh else None
