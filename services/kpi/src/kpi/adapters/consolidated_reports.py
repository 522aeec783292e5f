"""The archive of consolidated monthly reports as made on the 24th (one row per month)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kpi.adapters.tables import consolidated_reports
from kpi.domain.consolidated_report import ConsolidatedReport


async def exists(session: AsyncSession, period: str) -> bool:
    found = await session.execute(
        select(consolidated_reports.c.period).where(consolidated_reports.c.period == period)
    )
    return found.first() is not None


async def insert_once(
    session: AsyncSession, report: ConsolidatedReport, workbook: bytes, page: str, digest: str
) -> bool:
    """Store the month's files; False when a row for the month is already there (nothing written)."""
    inserted = await session.execute(
        insert(consolidated_reports)
        .values(
            period=report.period,
            as_of=report.as_of,
            produced_at=report.generated_at,
            xlsx=workbook,
            html=page,
            xlsx_sha256=digest,
        )
        .on_conflict_do_nothing(index_elements=["period"])
        .returning(consolidated_reports.c.period)
    )
    return inserted.first() is not None


async def archived(session: AsyncSession, period: str) -> tuple[bytes, str] | None:
    """The stored workbook and page of a month, if it was made."""
    row = (
        await session.execute(
            select(consolidated_reports.c.xlsx, consolidated_reports.c.html).where(
                consolidated_reports.c.period == period
            )
        )
    ).first()
    return (bytes(row.xlsx), str(row.html)) if row else None
