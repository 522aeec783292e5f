"""The contact directory and the routing rules in PostgreSQL, and the one recipient lookup."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import contacts, routing_rules
from notifier.domain.contacts import Contact, parse_channels
from notifier.domain.directory import ContactFields
from notifier.domain.routing import Recipient, Rule, route

log = structlog.get_logger(__name__)


def _contact(row: Any) -> Contact:
    return Contact(
        name=row.name,
        email=row.email or None,
        phone=row.phone,
        webhook_url=row.webhook_url,
        channels=parse_channels(row.channels),
        role=row.role,
        unit_code=row.unit_code,
        id=row.id,
        active=row.active,
    )


async def recipients_for(
    session: AsyncSession, unit_code: str, kind: str, *, enabled: Collection[str]
) -> list[Recipient]:
    """Who in `unit_code` gets a notification of `kind`, each with its channels.

    `enabled`: the channels this notifier has configured (settings.enabled_channels); every sender
    (the KPI alerts, the deadline ledger) asks here and nowhere else.
    """
    rules = await rules_of(session, kind)
    if not rules:
        log.warning("no routing rule for this kind: nobody notified", kind=kind, unit=unit_code)
        return []
    rows = await session.execute(
        select(contacts)
        .where(
            contacts.c.unit_code == unit_code, contacts.c.active, contacts.c.role.in_({r.role for r in rules})
        )
        .order_by(contacts.c.id)
    )
    return route(rules, [_contact(r) for r in rows], enabled)


async def rules_of(session: AsyncSession, kind: str | None = None) -> list[Rule]:
    query = select(routing_rules).order_by(routing_rules.c.kind, routing_rules.c.tier, routing_rules.c.role)
    if kind is not None:
        query = query.where(routing_rules.c.kind == kind)
    rows = await session.execute(query)
    return [Rule(r.kind, r.role, parse_channels(r.channels), r.tier) for r in rows]


async def replace_rules(session: AsyncSession, rules: Sequence[Rule]) -> None:
    await session.execute(routing_rules.delete())
    if rules:
        await session.execute(
            routing_rules.insert(),
            [
                {"kind": r.kind, "role": r.role, "channels": ",".join(r.channels), "tier": r.tier}
                for r in rules
            ],
        )


async def has_rules(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(routing_rules)))


async def has_contacts(session: AsyncSession) -> bool:
    """Whether the directory holds any contact (active or not)."""
    return bool(await session.scalar(select(func.count()).select_from(contacts)))


def contact_dict(row: Any) -> dict[str, Any]:
    """A contact row as the API and the audit log show it."""
    keys = ("id", "unit_code", "role", "name", "email", "phone", "webhook_url", "channels", "active")
    return {k: row[k] for k in keys}


async def list_contacts(session: AsyncSession, filters: dict[str, Any]) -> list[dict[str, Any]]:
    query = select(contacts).order_by(contacts.c.unit_code, contacts.c.role, contacts.c.id)
    for name in ("unit_code", "role", "active"):
        if filters.get(name) is not None:
            query = query.where(contacts.c[name] == filters[name])
    rows = await session.execute(query)
    return [contact_dict(r) for r in rows.mappings()]


async def get_contact(session: AsyncSession, contact_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    query = select(contacts).where(contacts.c.id == contact_id)
    row = (await session.execute(query.with_for_update() if lock else query)).mappings().first()
    return None if row is None else contact_dict(row)


async def insert_contact(session: AsyncSession, fields: ContactFields, now: datetime) -> dict[str, Any]:
    result = await session.execute(
        contacts.insert().values(**asdict(fields), updated_at=now).returning(*contacts.c)
    )
    return contact_dict(result.mappings().one())


async def update_contact(
    session: AsyncSession, contact_id: int, fields: ContactFields, now: datetime
) -> dict[str, Any]:
    result = await session.execute(
        update(contacts)
        .where(contacts.c.id == contact_id)
        .values(**asdict(fields), updated_at=now)
        .returning(*contacts.c)
    )
    return contact_dict(result.mappings().one())


async def replace_contacts(session: AsyncSession, rows: Sequence[ContactFields], now: datetime) -> None:
    """The whole directory becomes `rows` (a CSV import): one statement each way, in the caller's
    transaction, so an import is all or nothing."""
    await session.execute(contacts.delete())
    if rows:
        await session.execute(contacts.insert(), [{**asdict(r), "updated_at": now} for r in rows])


async def lock_rules(session: AsyncSession) -> None:
    """Two replicas starting at once take turns to seed the default rules."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext("notifier:routing_rules"))))
