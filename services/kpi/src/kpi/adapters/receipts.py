"""Report receipts: one row per report (unit, form, period), for completeness."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Select, case, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bdhvs_shared.events import ReportAccepted
from kpi.adapters.tables import report_receipts as t
from kpi.domain.receipts import StoredReceipt
from kpi.domain.reporting import Receipt


async def record(session: AsyncSession, event: ReportAccepted) -> bool:
    """Record a revision; True when it is the first one seen of its report (completeness changed).

    Idempotent and order-independent: the lowest revision seen decides `on_time` and the
    first receipt time, the highest the latest revision.
    """
    stmt = _merge(
        insert(t).values(
            unit_code=event.unit_code,
            form=event.form,
            period=event.period,
            on_time=event.on_time,
            first_revision=event.revision,
            first_received_at=event.received_at,
            latest_revision=event.revision,
            latest_received_at=event.received_at,
            deadline=event.deadline,
        )
    )
    upsert = stmt.returning(literal_column("(xmax = 0)").label("inserted"))  # PostgreSQL: 0 on insert
    return bool((await session.execute(upsert)).scalar_one())


async def for_period(session: AsyncSession, form: str, period: str) -> dict[str, Receipt]:
    rows = await session.execute(period_rows(form, period))
    return {r.unit_code: Receipt(**r._asdict()) for r in rows}


def period_rows(form: str, period: str) -> Select[Any]:
    """One form and period's receipts, on `ix_report_receipts_form_period`."""
    return select(
        t.c.unit_code,
        t.c.on_time,
        t.c.first_revision,
        t.c.first_received_at,
        t.c.latest_revision,
        t.c.latest_received_at,
    ).where(t.c.form == form, t.c.period == period)


async def all_rows(session: AsyncSession) -> dict[tuple[str, str, str], StoredReceipt]:
    """Every receipt by (unit, form, period), for `kpi verify`."""
    rows = (await session.execute(select(t))).mappings()
    return {(r["unit_code"], r["form"], r["period"]): StoredReceipt(**r) for r in rows}


def _merge(stmt: Any) -> Any:
    """ON CONFLICT: the lowest revision keeps `on_time` and the first time, the highest the latest.

    `domain.receipts.merge_receipt` in SQL (one statement per report, no read first); the two are
    checked to agree on generated cases (tests/integration/test_kpi_receipt_rule.py).
    """
    new = stmt.excluded
    earlier = new.first_revision < t.c.first_revision
    later = new.latest_revision > t.c.latest_revision
    return stmt.on_conflict_do_update(
        index_elements=[t.c.unit_code, t.c.form, t.c.period],
        set_={
            "on_time": case((earlier, new.on_time), else_=t.c.on_time),
            "first_revision": func.least(t.c.first_revision, new.first_revision),
            "first_received_at": case((earlier, new.first_received_at), else_=t.c.first_received_at),
            "latest_revision": func.greatest(t.c.latest_revision, new.latest_revision),
            "latest_received_at": case((later, new.latest_received_at), else_=t.c.latest_received_at),
        },
    )


async def record_many(session: AsyncSession, rows: Sequence[StoredReceipt]) -> None:
    """`record` for many reports at once (one row per report, folded by `ReceiptFold` first)."""
    if rows:  # executemany of one cached statement (a multi-row VALUES is compiled each time)
        await session.execute(_MERGE_MANY, [asdict(r) for r in rows])


_MERGE_MANY = _merge(insert(t))


async def existing(
    session: AsyncSession, keys: Collection[tuple[str, str, str]]
) -> set[tuple[str, str, str]]:
    """Which of these reports (unit, form, period) were already received."""
    if not keys:
        return set()
    rows = await session.execute(
        select(t.c.unit_code, t.c.form, t.c.period).where(
            t.c.unit_code.in_(sorted({k[0] for k in keys})),
            t.c.form.in_(sorted({k[1] for k in keys})),
            t.c.period.in_(sorted({k[2] for k in keys})),
        )
    )
    return {(r.unit_code, r.form, r.period) for r in rows} & set(keys)
