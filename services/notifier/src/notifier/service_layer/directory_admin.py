"""Changing the contact directory and the routing rules: checked, then stored with its audit row in
one transaction (who, when, what before and after)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import Clock, SystemClock
from notifier.adapters.directory_files import default_rules
from notifier.domain.directory import FIELDS, ContactFields, Problem, check_contact, known_units_of
from notifier.domain.directory_csv import LineProblem, parse_directory
from notifier.domain.records import AuditEntry
from notifier.domain.routing import Rule, check_rules
from notifier.service_layer.ports import Stores, Transactions


class DirectoryRejected(Exception):
    """The change breaks a rule of the directory: nothing was stored."""

    def __init__(self, problems: Sequence[Problem | LineProblem], status: int = 422) -> None:
        super().__init__(problems[0].message if problems else "rejected")
        self.problems, self.status = list(problems), status


@dataclass(frozen=True)
class ImportResult:
    dry_run: bool
    rows: int  # contacts in the file
    replaced: int  # contacts in the directory before (the import replaces them all)


def _rule_dicts(rules: Sequence[Rule]) -> list[dict[str, Any]]:
    return [{**asdict(r), "channels": list(r.channels)} for r in rules]


@dataclass
class DirectoryAdmin:
    transactions: Transactions
    clock: Clock
    known_units: Callable[[], Collection[str]]  # the catalogue in force: it can change at run time

    def _check(self, raw: Mapping[str, object], active: bool) -> ContactFields:
        fields, problems = check_contact(raw, self.known_units(), active)
        if fields is None:
            raise DirectoryRejected(problems)
        return fields

    async def create(self, actor: str, raw: Mapping[str, object]) -> dict[str, Any]:
        fields = self._check(raw, bool(raw.get("active", True)))
        now = self.clock.now()
        async with self.transactions() as stores:
            row = (await stores.directory.add_contact(fields, now)).view()
            await stores.audit.record(
                AuditEntry(actor, "contact.create", "contact", now, str(row["id"]), after=row)
            )
        return row

    async def update(self, actor: str, contact_id: int, changes: Mapping[str, object]) -> dict[str, Any]:
        """Change some fields (the others stay); `active` true reactivates a contact."""
        now = self.clock.now()
        async with self.transactions() as stores:
            before = await self._contact(stores, contact_id)
            merged = {**{k: before[k] for k in FIELDS}, **{k: v for k, v in changes.items() if k in FIELDS}}
            fields = self._check(merged, bool(changes.get("active", before["active"])))
            after = (await stores.directory.update_contact(contact_id, fields, now)).view()
            if after != before:
                await stores.audit.record(
                    AuditEntry(actor, "contact.update", "contact", now, str(contact_id), before, after)
                )
        return after

    async def deactivate(self, actor: str, contact_id: int) -> dict[str, Any]:
        """The contact stays in the directory (and in the audit log) but is no longer notified."""
        now = self.clock.now()
        async with self.transactions() as stores:
            before = await self._contact(stores, contact_id)
            if not before["active"]:
                return before
            fields = ContactFields(**{**{k: before[k] for k in FIELDS}, "active": False})
            after = (await stores.directory.update_contact(contact_id, fields, now)).view()
            await stores.audit.record(
                AuditEntry(actor, "contact.deactivate", "contact", now, str(contact_id), before, after)
            )
        return after

    @staticmethod
    async def _contact(stores: Stores, contact_id: int) -> dict[str, Any]:
        """The contact as it stands, locked until the change is stored; 404 when there is none."""
        found = await stores.directory.contact(contact_id, lock=True)
        if found is None:
            raise DirectoryRejected(
                [Problem("contact.not_found", "id", f"Không có người nhận mã {contact_id} trong danh bạ.")],
                404,
            )
        return found.view()

    async def import_csv(self, actor: str, text: str, dry_run: bool = True) -> ImportResult:
        """Check the whole file; unless `dry_run`, replace the directory with it in one transaction."""
        rows, problems = parse_directory(text, self.known_units())
        if problems:
            raise DirectoryRejected(problems)
        now = self.clock.now()
        async with self.transactions() as stores:
            before = [c.view() for c in await stores.directory.contacts()]
            if not dry_run:
                await stores.directory.replace_contacts(rows, now)
                after = [c.view() for c in await stores.directory.contacts()]
                await stores.audit.record(
                    AuditEntry(actor, "contacts.import", "contact", now, before=before, after=after)
                )
        return ImportResult(dry_run, len(rows), len(before))

    async def replace_rules(self, actor: str, rules: Sequence[Rule]) -> list[Rule]:
        problems = check_rules(rules)
        if problems:
            raise DirectoryRejected(
                [Problem(p.code, f"rules[{p.index}].{p.field}", p.message) for p in problems]
            )
        now = self.clock.now()
        async with self.transactions() as stores:
            before = await stores.directory.rules()
            await stores.directory.replace_rules(rules)
            after = await stores.directory.rules()
            await stores.audit.record(
                AuditEntry(
                    actor,
                    "routing.replace",
                    "routing",
                    now,
                    before=_rule_dicts(before),
                    after=_rule_dicts(after),
                )
            )
        return after

    async def seed_rules_if_empty(self) -> bool:
        """At start: the shipped default rules when there are none (a fresh install). Replacing the
        rules with none is refused, so an empty table always means "never set"."""
        rules = default_rules()
        async with self.transactions() as stores:
            await stores.directory.lock_rules()
            if await stores.directory.has_rules():
                return False
            await stores.directory.replace_rules(rules)
            await stores.audit.record(
                AuditEntry("system", "routing.seed", "routing", self.clock.now(), after=_rule_dicts(rules))
            )
        return True


async def load_recipients(transactions: Transactions, path: Path, actor: str = "cli") -> int:
    """Replace the directory with a CSV file (the CLI and tests), audited like an admin import."""
    units = known_units_of(load_catalogue())
    admin = DirectoryAdmin(transactions, SystemClock(), lambda: units)
    text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    result = await admin.import_csv(actor, text, dry_run=False)
    return result.rows
