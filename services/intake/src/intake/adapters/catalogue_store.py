"""Catalogue versions in PostgreSQL: the latest is the one in force; all of them are the audit log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import catalogue_versions


@dataclass(frozen=True)
class StoredVersion:
    version: str
    files: dict[str, str]


async def lock(session: AsyncSession) -> None:
    """Serialise publications: two admins at once would both build on the same previous version."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext("intake:catalogue"))))


async def latest(session: AsyncSession) -> StoredVersion | None:
    row = (
        await session.execute(
            select(catalogue_versions.c.version, catalogue_versions.c.files)
            .order_by(catalogue_versions.c.seq.desc())
            .limit(1)
        )
    ).first()
    return StoredVersion(row.version, dict(row.files)) if row else None


async def latest_version(session: AsyncSession) -> str | None:
    return await session.scalar(
        select(catalogue_versions.c.version).order_by(catalogue_versions.c.seq.desc()).limit(1)
    )


async def add(
    session: AsyncSession,
    *,
    version: str,
    previous_version: str | None,
    files: dict[str, str],
    changed_files: list[str],
    changed_by: str,
    summary: str,
    created_at: datetime,
    event_id: uuid.UUID,
) -> None:
    await session.execute(
        catalogue_versions.insert().values(
            version=version,
            previous_version=previous_version,
            files=files,
            changed_files=changed_files,
            changed_by=changed_by,
            summary=summary,
            created_at=created_at,
            event_id=event_id,
        )
    )


async def history(session: AsyncSession, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    total = await session.scalar(select(func.count()).select_from(catalogue_versions))
    rows = await session.execute(
        select(
            catalogue_versions.c.version,
            catalogue_versions.c.previous_version,
            catalogue_versions.c.changed_files,
            catalogue_versions.c.changed_by,
            catalogue_versions.c.summary,
            catalogue_versions.c.created_at,
        )
        .order_by(catalogue_versions.c.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return int(total or 0), [dict(r) for r in rows.mappings()]
