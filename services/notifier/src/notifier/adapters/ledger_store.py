"""The deadline ledger in PostgreSQL: plan, cancel, claim what is due, list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import PENDING, deadline_ledger, ledger_start, report_arrivals
from notifier.domain.ledger import OVERDUE, DueItem
from notifier.domain.records import LedgerDone, LedgerRow

KEY = ["form", "period", "unit_code", "kind"]
LEDGER_ROW = [deadline_ledger.c[f.name] for f in fields(LedgerRow)]
CHUNK = 1000  # rows per call: well under PostgreSQL's 32767 bind parameters
# The rows go as parameters of one cached statement (SQLAlchemy's "insertmanyvalues" batches them into
# multi-row INSERTs), not as `.values(rows)`: that compiles a new statement for every call, which was a
# quarter of the notifier's CPU in `make demo` (a plan a day, a cancel per report). vars(), not
# asdict(): asdict deep-copies every datetime, and a day's plan has thousands of items.


class PgLedger:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_planned(self, items: Sequence[DueItem], now: datetime) -> int:
        """Insert what is not in the ledger yet; a row already there (sent, cancelled…) stays as it is."""
        added = 0
        for start in range(0, len(items), CHUNK):
            rows = [{**vars(i), "status": "pending", "created_at": now} for i in items[start : start + CHUNK]]
            result = await self._session.execute(
                insert(deadline_ledger).on_conflict_do_nothing().returning(deadline_ledger.c.id), rows
            )
            added += len(result.all())
        return added

    async def first_start(self, now: datetime) -> datetime:
        """The moment the ledger first planned: stored as `now` by the first call, kept after."""
        await self._session.execute(
            insert(ledger_start).values(id=1, started_at=now).on_conflict_do_nothing(index_elements=["id"])
        )
        started = await self._session.scalar(select(ledger_start.c.started_at).where(ledger_start.c.id == 1))
        assert started is not None  # just inserted or already there
        return started

    async def cancel(self, items: Sequence[DueItem], now: datetime, note: str) -> list[str]:
        """Mark these items cancelled: pending rows become cancelled; missing rows are created cancelled
        (so a report that comes before the ledger planned its period still counts)."""
        if not items:
            return []
        rows = [
            {**vars(i), "status": "cancelled", "note": note, "created_at": now, "done_at": now} for i in items
        ]
        stmt = insert(deadline_ledger).on_conflict_do_update(
            index_elements=KEY,
            set_={"status": "cancelled", "note": note, "done_at": now},
            where=deadline_ledger.c.status == "pending",
        )
        result = await self._session.execute(stmt.returning(deadline_ledger.c.kind), rows)
        return [kind for (kind,) in result.all()]  # the kinds cancelled, for the metrics

    async def claim_due(self, now: datetime, limit: int) -> list[LedgerRow]:
        """Pending rows due by `now`, oldest first, locked until the transaction ends.

        SKIP LOCKED: any number of notifier replicas tick at once and each row goes to one of them.
        """
        rows = await self._session.execute(due_rows(now, limit))
        return [LedgerRow(**r._mapping) for r in rows]

    async def finish(self, done: Sequence[LedgerDone], now: datetime) -> None:
        if not done:
            return
        # One executemany of one cached statement for the tick's rows, not a statement a row.
        # (Bind names other than the columns': SQLAlchemy keeps those for the SET clause.)
        await self._session.execute(
            update(deadline_ledger)
            .where(deadline_ledger.c.id == bindparam("row_id"))
            .values(
                status=bindparam("to_status"),
                note=bindparam("to_note"),
                recipients=bindparam("to_recipients"),
                done_at=bindparam("to_done_at"),
            ),
            [
                {"row_id": d.row_id, "to_status": d.status, "to_note": d.note,
                 "to_recipients": d.recipients, "to_done_at": now}
                for d in done
            ],
        )  # fmt: skip

    async def overdue_units(self, form: str, period: str) -> tuple[list[str], int]:
        """(units whose report is missing, units expected) for a form and period, by the overdue rows."""
        rows = await self._session.execute(
            select(deadline_ledger.c.unit_code, deadline_ledger.c.status)
            .where(
                deadline_ledger.c.form == form,
                deadline_ledger.c.period == period,
                deadline_ledger.c.kind == OVERDUE,
            )
            .order_by(deadline_ledger.c.unit_code)
        )
        all_rows = rows.all()
        return [r.unit_code for r in all_rows if r.status != "cancelled"], len(all_rows)

    async def record_arrival(
        self, form: str, period: str, unit_code: str, received_at: datetime, on_time: bool
    ) -> None:
        """The first revision's arrival counts (a correction keeps the report's on-time verdict)."""
        await self._session.execute(
            insert(report_arrivals)
            .values(form=form, period=period, unit_code=unit_code, received_at=received_at, on_time=on_time)
            .on_conflict_do_nothing()
        )

    async def arrivals(self, form: str, period: str) -> dict[str, bool]:
        """unit code → on time, for every unit whose report arrived. A unit whose ledger rows were
        cancelled by a report counts as arrived too (on time unknown: not listed late), so reports
        consumed before arrivals were recorded are not taken for missing ones."""
        found = await self._session.execute(
            select(report_arrivals.c.unit_code, report_arrivals.c.on_time).where(
                report_arrivals.c.form == form, report_arrivals.c.period == period
            )
        )
        out = {r.unit_code: r.on_time for r in found}
        cancelled = await self._session.execute(
            select(deadline_ledger.c.unit_code)
            .where(
                deadline_ledger.c.form == form,
                deadline_ledger.c.period == period,
                deadline_ledger.c.status == "cancelled",
            )
            .distinct()
        )
        for (unit,) in cancelled:
            out.setdefault(unit, True)
        return out

    async def pending_by_kind(self) -> dict[str, int]:
        rows = await self._session.execute(
            select(deadline_ledger.c.kind, func.count())
            .where(deadline_ledger.c.status == PENDING)
            .group_by(deadline_ledger.c.kind)
        )
        return {kind: int(n) for kind, n in rows.all()}


def _filtered(query: Select[Any], filters: dict[str, Any]) -> Select[Any]:
    for name in ("form", "period", "unit_code", "kind", "status"):
        if filters.get(name) is not None:
            query = query.where(deadline_ledger.c[name] == filters[name])
    return query


async def list_ledger(
    session: AsyncSession, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the ledger by due time (then unit and kind), and how many rows match in all."""
    total = await session.scalar(_filtered(select(func.count()).select_from(deadline_ledger), filters))
    query = _filtered(select(deadline_ledger), filters).order_by(
        deadline_ledger.c.due_at, deadline_ledger.c.unit_code, deadline_ledger.c.kind
    )
    rows = await session.execute(query.limit(limit).offset(offset))
    return [dict(r) for r in rows.mappings()], int(total or 0)


def due_rows(now: datetime, limit: int) -> Select[Any]:
    """The ledger tick's claim: pending rows due by `now`, oldest first, on `ix_deadline_ledger_pending`."""
    return (
        select(*LEDGER_ROW)
        .where(deadline_ledger.c.status == PENDING, deadline_ledger.c.due_at <= now)
        .order_by(deadline_ledger.c.due_at, deadline_ledger.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
