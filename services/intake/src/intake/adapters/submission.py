"""A submission's writes in one round trip: `intake.store_revision` (migration 0007).

The function claims the retry key, reads the unit's previous figures, bumps the report's revision,
stores it and stages its event, as `idempotency.claim`, `reports.previous_figures`,
`reports.next_revision`, `reports.add_revision` and `outbox.stage` do one statement at a time. The
statement is plain SQL text run on the session's connection (no statement building; asyncpg keeps it
prepared per connection).

The event's body is the draft's JSON with its report id and revision cut out: the function joins
the two halves around the stored ones, so the staged bytes are those `body_for` gives the stored
event. Only when the stored timeliness is not the draft's does the function stage nothing; then the
event is staged here, in a second statement.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from bdhvs_shared.db.outbox import note_staged
from bdhvs_shared.events import ReportAccepted
from bdhvs_shared.events.cloudevents import body_for, headers_for
from intake.adapters import outbox
from intake.domain.history import Previous
from intake.domain.submissions import ValidReport
from intake.service_layer.ports import Claim, Recorded, RetryKey

LOOKBACK = 24  # reports read for a unit's previous figures, as `reports.previous_figures`

STORE_REVISION = "SELECT * FROM intake.store_revision(" + ", ".join(f"${n}" for n in range(1, 22)) + ")"


async def record(
    session: AsyncSession,
    report: ValidReport,
    draft: ReportAccepted,
    subject: str,
    token_id: UUID,
    retry: RetryKey | None,
) -> Recorded:
    head, tail = _body_halves(draft)
    values = {code: value.model_dump() for code, value in draft.values.items()}
    connection = await session.connection()
    result = await connection.exec_driver_sql(
        STORE_REVISION,
        (
            token_id if retry else None,
            retry.key if retry else None,
            retry.fingerprint if retry else None,
            draft.event_id,
            draft.report_id,
            report.unit.code,
            report.form.code,
            str(report.period),
            report.as_of,
            draft.received_at,
            draft.deadline,
            draft.on_time,
            json.dumps(values),
            list(report.values),
            LOOKBACK,
            draft.submitted_by,
            draft.catalogue_version,
            subject,
            json.dumps(headers_for(draft, subject)),
            head,
            tail,
        ),
    )
    row = result.one()
    claim = None if row.claim is None else Claim(new=row.claim == "new")
    if row.claim == "taken":
        taken = Claim(new=False, same_request=bool(row.claim_same), event_id=row.claim_event_id)
        return Recorded(taken, {}, None)
    event = draft.model_copy(
        update={
            "report_id": row.report_id,
            "revision": row.revision,
            "deadline": row.deadline.astimezone(draft.deadline.tzinfo),
            "on_time": row.on_time,
        }
    )
    if row.staged:
        note_staged([(event, subject)])
    else:
        await outbox.stage(session, [(event, subject)])
    return Recorded(claim, _previous(row), event)


def _body_halves(draft: ReportAccepted) -> tuple[str, str]:
    """The draft's JSON body before and after its `"report_id":…,"revision":…,` (unique: the
    report id is new, and a quote inside a JSON string is escaped)."""
    head, found, tail = (
        body_for(draft).decode().partition(f'"report_id":"{draft.report_id}","revision":{draft.revision},')
    )
    if not found:
        raise RuntimeError("the event's JSON has no report_id followed by its revision")
    return head, tail


def _previous(row: Any) -> dict[str, Previous]:
    return {
        code: Previous(as_of, period, numerator, denominator)
        for code, as_of, period, numerator, denominator in zip(
            row.previous_codes,
            row.previous_as_of,
            row.previous_periods,
            row.previous_numerators,
            row.previous_denominators,
            strict=True,
        )
    }
