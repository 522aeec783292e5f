"""The account stores answer alike in memory (tests/support/account_fakes.py) and on PostgreSQL
(intake/adapters/accounts.py): the unit tests of the use cases run on the first, the service on the
second. One set of assertions, run on both; and concurrent wrong passwords are all counted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from bdhvs_shared.auth.caller import Role
from bdhvs_shared.clock import FixedClock
from bdhvs_shared.db.engine import make_engine, make_sessionmaker
from intake.adapters.accounts import pg_identity_transactions
from intake.adapters.passwords import Argon2Hasher
from intake.domain.account_problems import AccountRefused
from intake.domain.account_rows import NewAccount
from intake.domain.accounts import AuthPolicy, LoginState, SessionTimes, open_session
from intake.service_layer.account_ports import AuditEntry, IdentityTransactions, UsernameTaken
from intake.service_layer.account_sessions import AccountSessions
from support.account_fakes import FakeIdentity

T0 = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
CLERK = NewAccount("cb09313", "Nguyễn Văn A", Role.COMMUNE, "09313", email="a@example.gov.vn")


@pytest.fixture(params=["fake", "postgres"])
async def transactions(
    request: pytest.FixtureRequest, database_url: str
) -> AsyncIterator[IdentityTransactions]:
    if request.param == "fake":
        yield FakeIdentity().transaction
        return
    engine = make_engine(database_url)
    try:
        yield pg_identity_transactions(make_sessionmaker(engine))
    finally:
        await engine.dispose()


async def test_accounts_are_added_found_changed_and_listed(transactions: IdentityTransactions) -> None:
    async with transactions() as stores:
        added = await stores.accounts.add(CLERK, "hash-1", T0)
        await stores.accounts.add(NewAccount("admin1", "Quản trị", Role.ADMIN), "hash-2", T0)
    assert added.must_change_password and added.active and added.login == LoginState()
    with pytest.raises(UsernameTaken):
        async with transactions() as stores:
            await stores.accounts.add(CLERK, "hash-3", T0)
    async with transactions() as stores:
        found = await stores.accounts.find("cb09313", for_update=True)
        assert found is not None and found.password_hash == "hash-1" and found.account == added
        assert await stores.accounts.find("nobody") is None
        assert await stores.accounts.existing(["cb09313", "nobody", "admin1"]) == {"cb09313", "admin1"}
        locked = LoginState(0, T0 + timedelta(minutes=15))
        await stores.accounts.save_login(added.id, locked, None)
        await stores.accounts.set_password(added.id, "hash-4", must_change=False)
        await stores.accounts.replace_hash(added.id, "hash-1", "stale")  # changed meanwhile: kept
    async with transactions() as stores:
        found = await stores.accounts.find("cb09313")
        assert found is not None and found.password_hash == "hash-4"
        assert found.account.login == locked and not found.account.must_change_password
        await stores.accounts.replace_hash(added.id, "hash-4", "hash-5")
        await stores.accounts.save_login(added.id, LoginState(), T0)
        await stores.accounts.deactivate(added.id, T0)
        listed = await stores.accounts.listed()
    assert [a.username for a in listed] == ["admin1", "cb09313"]
    assert not listed[1].active and listed[1].last_sign_in_at == T0 and listed[1].login == LoginState()


async def test_sessions_are_found_by_digest_slid_and_revoked(transactions: IdentityTransactions) -> None:
    times = open_session(T0, AuthPolicy())
    async with transactions() as stores:
        account = await stores.accounts.add(CLERK, "hash-1", T0)
        first = await stores.sessions.open(account.id, "a" * 64, times, "10.0.0.1")
        second = await stores.sessions.open(account.id, "b" * 64, times, None)
        await stores.audit.record(AuditEntry(T0, "cb09313", "sign_in", "ok", "10.0.0.1"))
    async with transactions() as stores:
        found = await stores.sessions.find("a" * 64)
        assert found is not None and found[0].id == first and found[0].times == times and found[1] == account
        assert await stores.sessions.find("c" * 64) is None
        later = SessionTimes(T0, T0 + timedelta(minutes=5), T0 + timedelta(minutes=35), times.expires_at)
        await stores.sessions.save_times(first, later)
        assert await stores.sessions.revoke_all(account.id, T0, keep=first) == 1
    async with transactions() as stores:
        found = await stores.sessions.find("a" * 64)
        assert found is not None and found[0].times == later
        revoked = await stores.sessions.find("b" * 64)
        assert revoked is not None and revoked[0].id == second and revoked[0].times.revoked_at == T0
        await stores.sessions.revoke(first, T0 + timedelta(minutes=6))
        assert await stores.sessions.revoke_all(account.id, T0) == 0  # nothing live left


async def test_a_block_that_raises_keeps_nothing(transactions: IdentityTransactions) -> None:
    with pytest.raises(RuntimeError):
        async with transactions() as stores:
            await stores.accounts.add(CLERK, "hash-1", T0)
            raise RuntimeError("after the insert")
    async with transactions() as stores:
        assert await stores.accounts.listed() == []


async def test_concurrent_wrong_passwords_are_all_counted(database_url: str, db: asyncpg.Connection) -> None:
    engine = make_engine(database_url)
    hasher = Argon2Hasher(memory_kib=8192, time_cost=1, concurrency=2)
    try:
        transactions = pg_identity_transactions(make_sessionmaker(engine))
        async with transactions() as stores:
            await stores.accounts.add(CLERK, await hasher.hash("the right one"), T0)
        policy = AuthPolicy(max_failures=5)
        sessions = AccountSessions(transactions, hasher, FixedClock(T0), policy, ZoneInfo("Asia/Ho_Chi_Minh"))

        async def attempt() -> int:
            try:
                await sessions.sign_in("cb09313", "a wrong one", None)
            except AccountRefused as exc:
                return exc.status
            return 201

        answers = await asyncio.gather(*(attempt() for _ in range(7)))
    finally:
        hasher.close()
        await engine.dispose()
    assert answers.count(423) >= 1 and set(answers) <= {401, 423}
    row = await db.fetchrow("SELECT failed_attempts, locked_until FROM intake.accounts")
    assert row["locked_until"] == T0 + timedelta(minutes=15)
    outcomes = [
        r["outcome"] for r in await db.fetch("SELECT outcome FROM intake.auth_audit WHERE action = 'sign_in'")
    ]
    assert outcomes.count("invalid_password") + outcomes.count("locked") == 7
    assert outcomes.count("invalid_password") == 5 and row["failed_attempts"] == 0
