"""Contract of the contact directory and routing rules (`Directory` in `notifier.service_layer.ports`):
the same assertions on the in-memory fake (tests/support/notifier_fakes.py) and on PostgreSQL
(`notifier.adapters.directory`)."""

from __future__ import annotations

from datetime import datetime

from notifier.domain.directory import ContactFields
from notifier.domain.records import AuditEntry
from notifier.domain.routing import Rule
from notifier.service_layer.ports import Transactions
from support.events import TZ
from support.notifier_stores import both_stores

transactions = both_stores()
NOW = datetime(2026, 3, 16, 9, tzinfo=TZ)
CLERK = ContactFields("09313", "clerk", "Văn thư", "vt@x.vn", "84912345678", None, "sms,email")
CHAIRMAN = ContactFields("09313", "chairman", "Chủ tịch", "ct@x.vn", None, None, "email")
OTHER = ContactFields("09292", "clerk", "Văn thư 2", "vt2@x.vn", None, None, "email")


async def test_contacts_are_added_changed_and_replaced(transactions: Transactions) -> None:
    async with transactions() as stores:
        clerk = await stores.directory.add_contact(CLERK, NOW)
        chairman = await stores.directory.add_contact(CHAIRMAN, NOW)
        assert clerk.fields == CLERK and clerk.id != chairman.id
    async with transactions() as stores:
        assert await stores.directory.contact(clerk.id, lock=True) == clerk
        assert await stores.directory.contacts() == [chairman, clerk]  # by unit, role, id
        moved = ContactFields(**{**vars(CLERK), "active": False})
        assert (await stores.directory.update_contact(clerk.id, moved, NOW)).fields == moved
        assert await stores.directory.contact(10**6) is None
    async with transactions() as stores:
        assert (await stores.directory.contact(clerk.id)).fields.active is False  # type: ignore[union-attr]
        await stores.directory.replace_contacts([OTHER], NOW)
    async with transactions() as stores:
        assert [c.fields for c in await stores.directory.contacts()] == [OTHER]


async def test_recipients_follow_the_rules_tiers_and_enabled_channels(transactions: Transactions) -> None:
    rules = [
        Rule("deadline_reminder", "clerk", ("sms", "email"), 1),
        Rule("deadline_reminder", "chairman", ("email",), 2),
        Rule("deadline_escalation", "chairman", ("email",), 1),
    ]
    async with transactions() as stores:
        assert not await stores.directory.has_rules()
        await stores.directory.lock_rules()
        await stores.directory.replace_rules(rules)
        for fields in (CLERK, CHAIRMAN, OTHER):
            await stores.directory.add_contact(fields, NOW)
    async with transactions() as stores:
        assert await stores.directory.has_rules()
        assert await stores.directory.rules() == [rules[2], rules[0], rules[1]]  # by kind, tier, role
        reminder = await stores.directory.recipients_for(
            "09313", "deadline_reminder", enabled=("email", "sms")
        )
        assert [(r.contact.name, r.deliveries()) for r in reminder] == [
            ("Văn thư", [("sms", "84912345678"), ("email", "vt@x.vn")])
        ]  # tier 1 reaches someone: tier 2 is not asked
        email_only = await stores.directory.recipients_for("09313", "deadline_reminder", enabled=("email",))
        assert [r.deliveries() for r in email_only] == [[("email", "vt@x.vn")]]
        escalation = await stores.directory.recipients_for("09313", "deadline_escalation", enabled=("email",))
        assert [r.contact.name for r in escalation] == ["Chủ tịch"]
        assert await stores.directory.recipients_for("09313", "kpi_repeat", enabled=("email",)) == []
        await stores.audit.record(AuditEntry("t", "routing.replace", "routing", NOW, after=[]))
    async with transactions() as stores:  # a tick's units read at once: the same answers
        await stores.directory.preload({"09313", "09292"})
        again = await stores.directory.recipients_for("09313", "deadline_reminder", enabled=("email", "sms"))
        assert [(r.contact.name, r.deliveries()) for r in again] == [
            (r.contact.name, r.deliveries()) for r in reminder
        ]
        escalation = await stores.directory.recipients_for("09313", "deadline_escalation", enabled=("email",))
        assert [r.contact.name for r in escalation] == ["Chủ tịch"]
        assert await stores.directory.recipients_for("09292", "deadline_escalation", enabled=("email",)) == []
