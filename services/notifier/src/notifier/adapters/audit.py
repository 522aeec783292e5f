"""The audit log: every change of the directory or the routing rules, who, when, before and after."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import audit_log
from notifier.domain.records import AuditEntry


class PgAuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, entry: AuditEntry) -> None:
        """Written in the change's own transaction: no change without its audit row, and no audit
        row for a change that was rolled back."""
        await self._session.execute(audit_log.insert().values(**asdict(entry)))


async def list_audit(
    session: AsyncSession, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the audit log, newest first, and how many rows match in all."""

    def filtered(query: Any) -> Any:
        for name in ("entity", "entity_id", "action", "actor"):
            if filters.get(name) is not None:
                query = query.where(audit_log.c[name] == filters[name])
        return query

    total = await session.scalar(filtered(select(func.count()).select_from(audit_log)))
    rows = await session.execute(
        filtered(select(audit_log)).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
    )
    return [dict(r) for r in rows.mappings()], int(total or 0)
