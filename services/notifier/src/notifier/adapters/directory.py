"""The contact directory and the routing rules in PostgreSQL, and the one recipient lookup."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import contacts, routing_rules
from notifier.domain.contacts import parse_channels
from notifier.domain.directory import ContactFields, StoredContact
from notifier.domain.routing import Recipient, Rule, route

log = structlog.get_logger(__name__)
FIELDS = [contacts.c[f.name] for f in fields(ContactFields)]


def _stored(row: Any) -> StoredContact:
    return StoredContact(row["id"], ContactFields(*(row[c.name] for c in FIELDS)))


class PgDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # A tick asks for many units' recipients in one transaction: each kind's rules read once,
        # the units' contacts at once (`preload`).
        self._rules: dict[str, list[Rule]] = {}
        self._preloaded: dict[str, list[StoredContact]] = {}

    async def _contacts(self, query: Select[Any]) -> list[StoredContact]:
        return [_stored(r) for r in (await self._session.execute(query)).mappings()]

    async def recipients_for(self, unit_code: str, kind: str, *, enabled: Collection[str]) -> list[Recipient]:
        """`enabled`: the channels this notifier has configured (settings.enabled_channels); every
        sender (the KPI alerts, the deadline ledger) asks here and nowhere else."""
        if kind not in self._rules:
            self._rules[kind] = await rules_of(self._session, kind)
        rules = self._rules[kind]
        if not rules:
            log.warning("no routing rule for this kind: nobody notified", kind=kind, unit=unit_code)
            return []
        roles = {r.role for r in rules}
        if unit_code in self._preloaded:
            found = [c for c in self._preloaded[unit_code] if c.fields.role in roles]
        else:
            found = await self._contacts(
                select(contacts.c.id, *FIELDS)
                .where(contacts.c.unit_code == unit_code, contacts.c.active, contacts.c.role.in_(roles))
                .order_by(contacts.c.id)
            )
        return route(rules, [c.as_contact() for c in found], enabled)

    async def preload(self, unit_codes: Collection[str]) -> None:
        wanted = set(unit_codes) - set(self._preloaded)
        if not wanted:
            return
        found = await self._contacts(
            select(contacts.c.id, *FIELDS)
            .where(contacts.c.unit_code.in_(wanted), contacts.c.active)
            .order_by(contacts.c.id)
        )
        for unit in wanted:
            self._preloaded[unit] = [c for c in found if c.fields.unit_code == unit]

    async def rules(self) -> list[Rule]:
        return await rules_of(self._session)

    async def replace_rules(self, rules: Sequence[Rule]) -> None:
        self._rules.clear()
        await self._session.execute(routing_rules.delete())
        if rules:
            await self._session.execute(
                routing_rules.insert(),
                [
                    {"kind": r.kind, "role": r.role, "channels": ",".join(r.channels), "tier": r.tier}
                    for r in rules
                ],
            )

    async def has_rules(self) -> bool:
        return bool(await self._session.scalar(select(func.count()).select_from(routing_rules)))

    async def lock_rules(self) -> None:
        await self._session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext("notifier:routing_rules")))
        )

    async def contacts(self) -> list[StoredContact]:
        return await list_contacts(self._session, {})

    async def contact(self, contact_id: int, *, lock: bool = False) -> StoredContact | None:
        query = select(contacts.c.id, *FIELDS).where(contacts.c.id == contact_id)
        found = await self._contacts(query.with_for_update() if lock else query)
        return found[0] if found else None

    async def add_contact(self, fields: ContactFields, now: datetime) -> StoredContact:
        self._preloaded.clear()
        result = await self._session.execute(
            contacts.insert().values(**asdict(fields), updated_at=now).returning(contacts.c.id, *FIELDS)
        )
        return _stored(result.mappings().one())

    async def update_contact(self, contact_id: int, fields: ContactFields, now: datetime) -> StoredContact:
        self._preloaded.clear()
        result = await self._session.execute(
            update(contacts)
            .where(contacts.c.id == contact_id)
            .values(**asdict(fields), updated_at=now)
            .returning(contacts.c.id, *FIELDS)
        )
        return _stored(result.mappings().one())

    async def replace_contacts(self, rows: Sequence[ContactFields], now: datetime) -> None:
        """One statement each way, in the caller's transaction: an import is all or nothing."""
        self._preloaded.clear()
        await self._session.execute(contacts.delete())
        if rows:
            await self._session.execute(contacts.insert(), [{**asdict(r), "updated_at": now} for r in rows])


async def rules_of(session: AsyncSession, kind: str | None = None) -> list[Rule]:
    query = select(routing_rules).order_by(routing_rules.c.kind, routing_rules.c.tier, routing_rules.c.role)
    if kind is not None:
        query = query.where(routing_rules.c.kind == kind)
    rows = await session.execute(query)
    return [Rule(r.kind, r.role, parse_channels(r.channels), r.tier) for r in rows]


async def has_contacts(session: AsyncSession) -> bool:
    """Whether the directory holds any contact (active or not)."""
    return bool(await session.scalar(select(func.count()).select_from(contacts)))


async def list_contacts(session: AsyncSession, filters: dict[str, Any]) -> list[StoredContact]:
    """The directory by unit, role and id; `filters`: unit_code, role, active (None: any)."""
    query = select(contacts.c.id, *FIELDS).order_by(contacts.c.unit_code, contacts.c.role, contacts.c.id)
    for name in ("unit_code", "role", "active"):
        if filters.get(name) is not None:
            query = query.where(contacts.c[name] == filters[name])
    return [_stored(r) for r in (await session.execute(query)).mappings()]
