"""The account use cases on in-memory fakes (tests/support/account_fakes.py): sign-in, lockout,
sessions, password change, and the admin's create, import, reset and deactivate."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import FixedClock
from intake.domain.account_problems import AccountRefused
from intake.domain.accounts import AuthPolicy
from intake.service_layer.account_admin import AccountAdmin, Actor
from intake.service_layer.account_sessions import AccountSessions, SessionIdentity
from support.account_fakes import FakeHasher, FakeIdentity

T0 = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CATALOGUE = load_catalogue()
ADMIN = Actor("admin1", "10.0.0.9")
CLERK = {"username": "cb09313", "display_name": "Nguyễn Văn A", "role": "commune", "unit_code": "09313"}
GOOD = "mật-khẩu-mới-đủ-dài"


class World:
    def __init__(self) -> None:
        self.store, self.hasher, self.clock = FakeIdentity(), FakeHasher(), FixedClock(T0)
        self.passwords = iter(f"initial-{n:04}" for n in range(1000))
        self.sessions = AccountSessions(self.store.transaction, self.hasher, self.clock, AuthPolicy(), TZ)
        self.admin = AccountAdmin(
            self.store.transaction,
            self.hasher,
            self.clock,
            lambda: CATALOGUE,
            TZ,
            lambda: next(self.passwords),
        )

    async def clerk(self, password: str | None = None) -> str:
        """The clerk's account; with `password`, already changed from the initial one."""
        _, initial = await self.admin.create(ADMIN, CLERK)
        if password is None:
            return initial
        identity = await self.signed_in("cb09313", initial)
        await self.sessions.change_password(identity, initial, password, None)
        return password

    async def signed_in(self, username: str, password: str) -> SessionIdentity:
        signed = await self.sessions.sign_in(username, password, "10.0.0.1")
        identity = await self.sessions.identify(signed.token)
        assert identity is not None
        return identity


async def refusal(call: object) -> AccountRefused:
    with pytest.raises(AccountRefused) as caught:
        await call  # type: ignore[misc]
    return caught.value


async def test_a_session_is_stored_as_a_digest_and_acts_as_its_account() -> None:
    world = World()
    password = await world.clerk(GOOD)
    signed = await world.sessions.sign_in(" CB09313 ", password, "10.0.0.1")
    assert signed.token.startswith("bdhvss_") and not signed.account.must_change_password
    stored = [s.digest for s in world.store.data.sessions.values()]
    assert hashlib.sha256(signed.token.encode()).hexdigest() in stored and signed.token not in stored
    identity = await world.sessions.identify(signed.token)
    assert identity is not None and identity.principal.unit_code == "09313"
    assert identity.principal.token_id in world.store.data.sessions


async def test_an_unknown_user_and_a_wrong_password_get_the_same_answer() -> None:
    world = World()
    await world.clerk(GOOD)
    unknown = await refusal(world.sessions.sign_in("nobody", GOOD, None))
    wrong = await refusal(world.sessions.sign_in("cb09313", "wrong-password", None))
    assert (unknown.status, unknown.problems) == (wrong.status, wrong.problems) == (401, wrong.problems)
    assert wrong.problems[0].code == "auth.invalid_credentials"
    assert world.hasher.verified >= 3  # the unknown user cost a verification too (same time)


async def test_five_failures_lock_and_the_right_password_is_refused_until_the_lock_ends() -> None:
    world = World()
    await world.clerk(GOOD)
    for _ in range(4):
        assert (await refusal(world.sessions.sign_in("cb09313", "wrong-password", None))).status == 401
    fifth = await refusal(world.sessions.sign_in("cb09313", "wrong-password", None))
    assert fifth.status == 423 and fifth.problems[0].code == "auth.account_locked"
    assert "09:15 ngày 03/12/2026" in fifth.problems[0].message and fifth.headers["Retry-After"] == "900"

    world.clock.advance(timedelta(minutes=14))
    verified = world.hasher.verified
    still = await refusal(world.sessions.sign_in("cb09313", GOOD, None))
    assert still.status == 423 and world.hasher.verified == verified  # not even checked

    world.clock.advance(timedelta(minutes=1))
    await world.sessions.sign_in("cb09313", GOOD, None)
    actions = [(a, o) for u, a, o in world.store.audit() if u == "cb09313"][-9:]
    assert actions == [
        *[("sign_in", "invalid_password")] * 5,
        ("lock", "ok"),
        ("sign_in", "locked"),
        ("unlock", "ok"),
        ("sign_in", "ok"),
    ]


async def test_a_success_resets_the_count_of_failures() -> None:
    world = World()
    await world.clerk(GOOD)
    for _ in range(4):
        await refusal(world.sessions.sign_in("cb09313", "wrong-password", None))
    await world.sessions.sign_in("cb09313", GOOD, None)
    for _ in range(4):
        assert (await refusal(world.sessions.sign_in("cb09313", "wrong-password", None))).status == 401


async def test_the_initial_password_must_be_changed_first() -> None:
    world = World()
    initial = await world.clerk()
    identity = await world.signed_in("cb09313", initial)
    assert identity.account.must_change_password
    too_short = await refusal(world.sessions.change_password(identity, initial, "short", None))
    assert [p.code for p in too_short.problems] == ["password.too_short"] and too_short.status == 422
    same = await refusal(world.sessions.change_password(identity, initial, "cb09313", None))
    assert same.problems[0].code in {"password.too_short", "password.equals_username"}
    await world.sessions.change_password(identity, initial, GOOD, None)
    again = await world.sessions.identify((await world.sessions.sign_in("cb09313", GOOD, None)).token)
    assert again is not None and not again.account.must_change_password


async def test_a_password_change_ends_the_other_sessions_only() -> None:
    world = World()
    await world.clerk(GOOD)
    phone = await world.sessions.sign_in("cb09313", GOOD, None)
    desk = await world.signed_in("cb09313", GOOD)
    await world.sessions.change_password(desk, GOOD, GOOD + "2", None)
    assert await world.sessions.identify(phone.token) is None
    assert world.store.data.sessions[desk.session_id].record.times.revoked_at is None


async def test_wrong_current_passwords_count_towards_the_lock() -> None:
    world = World()
    await world.clerk(GOOD)
    identity = await world.signed_in("cb09313", GOOD)
    for _ in range(5):
        wrong = await refusal(world.sessions.change_password(identity, "guess-guess", GOOD + "2", None))
        assert wrong.problems[0].code == "password.wrong_current"
    assert (await refusal(world.sessions.sign_in("cb09313", GOOD, None))).status == 423
    assert world.store.data.sessions[identity.session_id].record.times.revoked_at is not None


async def test_an_idle_session_expires_and_a_used_one_lives_on() -> None:
    world = World()
    await world.clerk(GOOD)
    idle = await world.sessions.sign_in("cb09313", GOOD, None)
    used = await world.sessions.sign_in("cb09313", GOOD, None)
    world.clock.advance(timedelta(minutes=20))
    assert await world.sessions.identify(used.token) is not None
    world.clock.advance(timedelta(minutes=15))
    expired = await refusal(world.sessions.identify(idle.token))
    assert expired.status == 401 and expired.problems[0].code == "auth.session_expired"
    assert "30 phút" in expired.problems[0].message
    identity = await world.sessions.identify(used.token)
    assert identity is not None and identity.times.idle_expires_at == T0 + timedelta(minutes=65)
    stored = world.store.data.sessions[identity.session_id].record
    world.clock.advance(timedelta(seconds=30))
    assert await world.sessions.identify(used.token) is not None
    assert world.store.data.sessions[identity.session_id].record == stored  # within the minute: no write


async def test_signing_out_ends_the_session() -> None:
    world = World()
    await world.clerk(GOOD)
    identity = await world.signed_in("cb09313", GOOD)
    await world.sessions.sign_out(identity, None)
    assert world.store.data.sessions[identity.session_id].record.times.revoked_at == T0
    assert ("cb09313", "sign_out", "ok") in world.store.audit()


async def test_a_deactivated_account_cannot_sign_in_and_its_sessions_end() -> None:
    world = World()
    await world.clerk(GOOD)
    signed = await world.sessions.sign_in("cb09313", GOOD, None)
    await world.admin.deactivate(ADMIN, "cb09313")
    assert await world.sessions.identify(signed.token) is None
    inactive = await refusal(world.sessions.sign_in("cb09313", GOOD, None))
    assert (inactive.status, inactive.problems[0].code) == (403, "auth.account_inactive")
    assert (await refusal(world.sessions.sign_in("cb09313", "wrong-password", None))).status == 401


async def test_an_admin_cannot_deactivate_themself() -> None:
    world = World()
    await world.admin.create(ADMIN, {"username": "root1", "display_name": "Quản trị", "role": "admin"})
    account = (await world.admin.listed())[0]
    me = Actor("root1", None, account.id)
    assert (await refusal(world.admin.deactivate(me, "root1"))).problems[
        0
    ].code == "account.cannot_deactivate_self"


async def test_a_reset_gives_a_new_initial_password_unlocks_and_ends_sessions() -> None:
    world = World()
    await world.clerk(GOOD)
    signed = await world.sessions.sign_in("cb09313", GOOD, None)
    for _ in range(5):
        await refusal(world.sessions.sign_in("cb09313", "wrong-password", None))
    fresh = await world.admin.reset_password(ADMIN, "cb09313")
    assert await world.sessions.identify(signed.token) is None
    identity = await world.signed_in("cb09313", fresh)
    assert identity.account.must_change_password
    assert ("cb09313", "unlock", "ok") in world.store.audit()
    assert ("cb09313", "password_reset", "ok") in world.store.audit()
    assert (await refusal(world.admin.reset_password(ADMIN, "nobody"))).status == 404


async def test_a_taken_username_is_a_conflict_and_creates_nothing() -> None:
    world = World()
    await world.clerk()
    taken = await refusal(world.admin.create(ADMIN, {**CLERK, "display_name": "Người khác"}))
    assert (taken.status, taken.problems[0].code) == (409, "account.username_taken")
    assert len(await world.admin.listed()) == 1


async def test_an_import_plan_names_each_bad_rows_row_and_column() -> None:
    world = World()
    await world.clerk()
    keys = ["username", "display_name", "role", "unit_code"]
    rows = [
        (2, {"username": "cb09292", "display_name": "B", "role": "commune", "unit_code": "09292"}),
        (3, {"username": "cb09313", "display_name": "C", "role": "commune", "unit_code": "09313"}),
        (4, {"username": "cb09292", "display_name": "D", "role": "commune", "unit_code": "09292"}),
        (5, {"username": "cb00001", "display_name": "E", "role": "commune", "unit_code": "00001"}),
    ]
    plan = await world.admin.check_taken(keys, world.admin.plan_import(keys, rows))
    found = [(e.row, e.column, e.problem.code) for e in plan.errors]
    assert found == [
        (3, "username", "account.username_taken"),
        (4, "username", "account.username_duplicate"),
        (5, "unit_code", "account.unit_unknown"),
    ]
    assert plan.errors[1].problem.message.startswith("Dòng 4, cột A (username): ")
    assert "dòng 2" in plan.errors[1].problem.message
    assert plan.errors[2].problem.message.startswith("Dòng 5, cột D (unit_code): ")


async def test_a_username_with_a_nul_is_refused_like_an_unknown_one_and_audited_printable() -> None:
    # Found by the API fuzzer: a NUL went to PostgreSQL (which cannot store one) and answered 500.
    world = World()
    refused = await refusal(world.sessions.sign_in("ab\x00c\nd", GOOD, None))
    assert (refused.status, refused.problems[0].code) == (401, "auth.invalid_credentials")
    assert world.store.audit() == [("ab?c?d", "sign_in", "unknown_user")]
