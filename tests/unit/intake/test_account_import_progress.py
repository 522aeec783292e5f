"""A large account import shows its progress (issue 15, item 6): `commit_import` tells its progress each
initial password hashed, and `intake accounts import` shows it (on stderr, lines when not on a terminal)
from PROGRESS_FROM_ROWS accounts on. On the in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from intake.entrypoints.account_import_cli import PROGRESS_FROM_ROWS
from intake.service_layer.account_admin import AccountAdmin, Actor
from support.account_fakes import FakeHasher, FakeIdentity

CATALOGUE = load_catalogue()


class Counted:
    def __init__(self) -> None:
        self.done = 0

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done

    def advance(self, amount: int = 1) -> None:
        self.done += amount


async def test_committing_an_import_advances_the_progress_once_per_account() -> None:
    store, passwords = FakeIdentity(), iter(f"initial-{n:04}" for n in range(1000))
    admin = AccountAdmin(
        store.transaction,
        FakeHasher(),
        FixedClock(datetime(2026, 12, 3, 2, tzinfo=UTC)),
        lambda: CATALOGUE,
        ZoneInfo("Asia/Ho_Chi_Minh"),
        lambda: next(passwords),
    )
    units = sorted(CATALOGUE.units)[:PROGRESS_FROM_ROWS]
    keys = ["username", "display_name", "role", "unit_code"]
    rows = [
        (n, {"username": f"cb{u}", "display_name": f"Cán bộ {u}", "role": "commune", "unit_code": u})
        for n, u in enumerate(units, start=2)
    ]
    plan = await admin.check_taken(keys, admin.plan_import(keys, rows))
    assert plan.errors == []
    shown = Counted()
    created = await admin.commit_import(Actor("cli"), plan, shown)
    assert len(created) == shown.done == PROGRESS_FROM_ROWS == 50
