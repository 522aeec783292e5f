"""Storing reports and their revisions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import RowMapping, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bdhvs_shared.events import ReportAccepted
from intake.adapters.tables import report_revisions, reports
from intake.domain.history import Previous
from intake.domain.submissions import ValidReport
from intake.service_layer.ports import Receipt, StoredRevision


async def next_revision(
    session: AsyncSession, report: ValidReport, received_at: datetime, deadline: datetime, on_time: bool
) -> StoredRevision:
    """Create the report, or bump its revision; the row lock serialises concurrent resubmissions.

    Timeliness is decided by the first revision and kept by later ones.
    """
    insert_row = insert(reports).values(
        id=uuid.uuid4(),
        unit_code=report.unit.code,
        form=report.form.code,
        period=str(report.period),
        as_of=report.as_of,
        first_received_at=received_at,
        deadline=deadline,
        on_time=on_time,
        latest_revision=1,
    )
    stmt = insert_row.on_conflict_do_update(
        constraint="uq_reports_unit_form_period",
        set_={"latest_revision": reports.c.latest_revision + 1},
    ).returning(
        reports.c.id,
        reports.c.latest_revision,
        reports.c.first_received_at,
        reports.c.deadline,
        reports.c.on_time,
    )
    row = (await session.execute(stmt)).one()
    return StoredRevision(row.id, row.latest_revision, row.first_received_at, row.deadline, row.on_time)


async def add_revision(session: AsyncSession, event: ReportAccepted) -> None:
    """The revision `event` announces: its figures, who sent them, when, and the catalogue in force."""
    await session.execute(
        report_revisions.insert().values(
            report_id=event.report_id,
            revision=event.revision,
            values={code: value.model_dump() for code, value in event.values.items()},
            received_at=event.received_at,
            submitted_by=event.submitted_by,
            event_id=event.event_id,
            catalogue_version=event.catalogue_version,
        )
    )


async def get_report(session: AsyncSession, report_id: uuid.UUID) -> dict[str, Any] | None:
    row = (await session.execute(select(reports).where(reports.c.id == report_id))).mappings().first()
    if row is None:
        return None
    revisions = (
        (
            await session.execute(
                select(report_revisions)
                .where(report_revisions.c.report_id == report_id)
                .order_by(report_revisions.c.revision)
            )
        )
        .mappings()
        .all()
    )
    return {**_as_report(row), "revisions": [dict(r) for r in revisions]}


async def receipt(session: AsyncSession, event_id: uuid.UUID) -> Receipt:
    """What the reply to the submission that created revision `event_id` said."""
    row = (
        (
            await session.execute(
                select(
                    reports.c.id.label("report_id"),
                    report_revisions.c.revision,
                    reports.c.unit_code,
                    reports.c.form,
                    reports.c.period,
                    reports.c.as_of,
                    report_revisions.c.received_at,
                    reports.c.deadline,
                    reports.c.on_time,
                    report_revisions.c.event_id,
                )
                .join(report_revisions, report_revisions.c.report_id == reports.c.id)
                .where(report_revisions.c.event_id == event_id)
            )
        )
        .mappings()
        .one()
    )
    return Receipt(**row)


async def list_reports(
    session: AsyncSession,
    *,
    unit_code: str | None,
    form: str | None,
    period: str | None,
    limit: int,
    offset: int,
    forms: list[str] | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Reports matching the filters (`forms`: only these forms), newest first, and how many in all."""
    conditions = [
        column == value
        for column, value in (
            (reports.c.unit_code, unit_code),
            (reports.c.form, form),
            (reports.c.period, period),
        )
        if value is not None
    ]
    if forms is not None:
        conditions.append(reports.c.form.in_(forms))
    total = await session.scalar(select(func.count()).select_from(reports).where(*conditions))
    rows = await session.execute(
        select(reports)
        .where(*conditions)
        .order_by(reports.c.first_received_at.desc(), reports.c.id)
        .limit(limit)
        .offset(offset)
    )
    return int(total or 0), [_as_report(r) for r in rows.mappings()]


def _as_report(row: RowMapping) -> dict[str, Any]:
    """A reports row as the API names it: `id` is `report_id`."""
    out = dict(row)
    out["report_id"] = out.pop("id")
    return out


async def previous_figures(
    session: AsyncSession, unit_code: str, before: date, indicators: Iterable[str], lookback: int = 24
) -> dict[str, Previous]:
    """The unit's latest stored figure of each indicator as of a day before `before` (latest revision)."""
    wanted = set(indicators)
    rows = await session.execute(
        select(reports.c.period, reports.c.as_of, report_revisions.c["values"])
        .join(
            report_revisions,
            (report_revisions.c.report_id == reports.c.id)
            & (report_revisions.c.revision == reports.c.latest_revision),
        )
        .where(reports.c.unit_code == unit_code, reports.c.as_of < before)
        .order_by(reports.c.as_of.desc())
        .limit(lookback)
    )
    found: dict[str, Previous] = {}
    for row in rows:
        for code, figures in row[2].items():
            if code in wanted and code not in found:
                found[code] = Previous(row.as_of, row.period, figures["numerator"], figures["denominator"])
    return found
