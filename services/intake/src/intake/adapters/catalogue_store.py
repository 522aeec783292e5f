"""Catalogue versions in PostgreSQL: the latest is the one in force; all of them are the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bdhvs_shared.events import CataloguePublished
from intake.adapters.tables import catalogue_versions
from intake.service_layer.ports import StoredVersion


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


async def add(session: AsyncSession, event: CataloguePublished) -> None:
    """The version `event` publishes, whole, with who changed which files, when and why."""
    await session.execute(
        catalogue_versions.insert().values(
            version=event.version,
            previous_version=event.previous_version,
            files=event.files,
            changed_files=event.changed_files,
            changed_by=event.changed_by,
            summary=event.summary,
            created_at=event.occurred_at,
            event_id=event.event_id,
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
