"""People sign in, use their session, change their password and sign out (docs/accounts.md).

Passwords are checked outside any transaction (argon2id takes tens of milliseconds and runs in the
hasher's own threads); the outcome is then settled on the account's locked row, so concurrent
wrong attempts are all counted and a lock set meanwhile is honoured. Every attempt is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from bdhvs_shared.clock import Clock
from intake.domain.account_problems import AccountRefused, account_problem, refused
from intake.domain.accounts import (
    Account,
    AuthPolicy,
    Credentials,
    LoginState,
    SessionState,
    SessionTimes,
    after_failure,
    could_be_a_username,
    is_session_token,
    new_session_token,
    normalise_username,
    open_session,
    printable,
    slide,
    token_digest,
)
from intake.domain.passwords import canonical, password_problems
from intake.domain.principal import Principal
from intake.service_layer.account_ports import (
    AuditEntry,
    IdentityStores,
    IdentityTransactions,
    PasswordHasher,
)

_EXPIRY_REASONS = {
    SessionState.IDLE: "không sử dụng quá {idle} phút",
    SessionState.EXPIRED: "đã quá {absolute} giờ kể từ khi đăng nhập",
}


@dataclass(frozen=True)
class SignedIn:
    token: str  # shown once to its holder; only its digest is stored
    times: SessionTimes
    account: Account


@dataclass(frozen=True)
class SessionIdentity:
    """The holder of a live session: acts as `principal` (its token_id is the session's id)."""

    principal: Principal
    account: Account
    times: SessionTimes

    @property
    def session_id(self) -> UUID:
        return self.principal.token_id


class AccountSessions:
    def __init__(
        self,
        transactions: IdentityTransactions,
        hasher: PasswordHasher,
        clock: Clock,
        policy: AuthPolicy,
        tz: ZoneInfo,
    ) -> None:
        self._tx, self._hasher, self._clock, self.policy, self._tz = transactions, hasher, clock, policy, tz

    async def sign_in(self, username: str, password: str, remote: str | None) -> SignedIn:
        """A new session, or AccountRefused: invalid credentials (401), locked (423), inactive (403)."""
        name, password = normalise_username(username), canonical(password)
        now = self._clock.now()
        found = None
        if could_be_a_username(name):  # else no account has it: not even asked of the database
            async with self._tx() as stores:
                found = await stores.accounts.find(name)
        if found is not None and found.account.login.locked_at(now):
            await self._audit(AuditEntry(now, name, "sign_in", "locked", remote))
            raise self._locked(found.account.login)  # the password is not even checked
        if found is None:
            await self._hasher.verify_nothing(password)
            await self._audit(AuditEntry(now, printable(name), "sign_in", "unknown_user", remote))
            raise self._invalid()
        correct = await self._hasher.verify(found.password_hash, password)
        async with self._tx() as stores:
            outcome = await self._settle(stores, found, correct, now, remote)
        if isinstance(outcome, AccountRefused):
            raise outcome
        if self._hasher.needs_rehash(found.password_hash):
            rehashed = await self._hasher.hash(password)
            async with self._tx() as stores:
                await stores.accounts.replace_hash(found.account.id, found.password_hash, rehashed)
        return outcome

    async def _settle(
        self, stores: IdentityStores, verified: Credentials, correct: bool, now: datetime, remote: str | None
    ) -> SignedIn | AccountRefused:
        name = verified.account.username
        current = await stores.accounts.find(name, for_update=True)
        if current is None:
            await stores.audit.record(AuditEntry(now, name, "sign_in", "unknown_user", remote))
            return self._invalid()
        account, login = current.account, current.account.login
        if login.locked_at(now):  # locked by a concurrent attempt
            await stores.audit.record(AuditEntry(now, name, "sign_in", "locked", remote))
            return self._locked(login)
        if login.lock_ended_at(now):
            detail = f"lock ended at {login.locked_until:%Y-%m-%dT%H:%M:%S%z}"
            await stores.audit.record(AuditEntry(now, name, "unlock", "ok", remote, detail=detail))
        if not correct or current.password_hash != verified.password_hash:
            after, locked = after_failure(login, now, self.policy)
            await stores.accounts.save_login(account.id, after, None)
            await stores.audit.record(AuditEntry(now, name, "sign_in", "invalid_password", remote))
            if not locked:
                return self._invalid()
            await self._lock(stores, account, after, now, remote)
            return self._locked(after)
        if not account.active:
            await stores.audit.record(AuditEntry(now, name, "sign_in", "inactive", remote))
            return refused("auth.account_inactive", "username")
        await stores.accounts.save_login(account.id, LoginState(), now)
        token, times = new_session_token(), open_session(now, self.policy)
        await stores.sessions.open(account.id, token_digest(token), times, remote)
        await stores.audit.record(AuditEntry(now, name, "sign_in", "ok", remote))
        return SignedIn(token, times, account)

    async def _lock(
        self, stores: IdentityStores, account: Account, login: LoginState, now: datetime, remote: str | None
    ) -> None:
        """Lock the account; its sessions end too (whoever is guessing may hold one)."""
        ended = await stores.sessions.revoke_all(account.id, now)
        detail = f"until {login.locked_until:%Y-%m-%dT%H:%M:%S%z}; {ended} session(s) ended"
        await stores.audit.record(AuditEntry(now, account.username, "lock", "ok", remote, detail=detail))

    async def identify(self, token: str) -> SessionIdentity | None:
        """The live session of a bearer token (sliding its idle limit), None when unknown or revoked,
        AccountRefused when it expired (401 auth.session_expired)."""
        if not is_session_token(token):
            return None
        now = self._clock.now()
        async with self._tx() as stores:
            found = await stores.sessions.find(token_digest(token))
            if found is None:
                return None
            record, account = found
            state = record.times.state(now)
            if state is not SessionState.LIVE or not account.active:
                slid = None
            elif (slid := slide(record.times, now, self.policy)) is not None:
                await stores.sessions.save_times(record.id, slid)
        if not account.active or state is SessionState.REVOKED:
            return None
        if state is not SessionState.LIVE:
            reason = _EXPIRY_REASONS[state].format(
                idle=int(self.policy.idle.total_seconds() // 60),
                absolute=int(self.policy.absolute.total_seconds() // 3600),
            )
            raise refused("auth.session_expired", "Authorization", reason=reason)
        principal = Principal(record.id, account.role, account.unit_code, account.agency_code)
        return SessionIdentity(principal, account, slid or record.times)

    async def sign_out(self, identity: SessionIdentity, remote: str | None) -> None:
        now = self._clock.now()
        async with self._tx() as stores:
            await stores.sessions.revoke(identity.session_id, now)
            await stores.audit.record(AuditEntry(now, identity.account.username, "sign_out", "ok", remote))

    async def change_password(
        self, identity: SessionIdentity, current: str, new: str, remote: str | None
    ) -> None:
        """The holder's new password (policy: docs/accounts.md); their other sessions end.

        A wrong current password counts as a failed sign-in: whoever holds a stolen session cannot
        guess the password through this door faster than through the sign-in.
        """
        name, current, new = identity.account.username, canonical(current), canonical(new)
        problems = password_problems(name, new)
        if not problems and new == current:
            problems = [account_problem("password.unchanged", "new_password")]
        if problems:
            raise AccountRefused(*problems)
        now = self._clock.now()
        async with self._tx() as stores:
            found = await stores.accounts.find(name)
        if found is None:
            raise self._invalid()
        correct = await self._hasher.verify(found.password_hash, current)
        new_hash = await self._hasher.hash(new) if correct else ""
        async with self._tx() as stores:
            outcome = await self._apply_change(stores, identity, found, new_hash, now, remote)
        if outcome is not None:
            raise outcome

    async def _apply_change(
        self,
        stores: IdentityStores,
        identity: SessionIdentity,
        verified: Credentials,
        new_hash: str,
        now: datetime,
        remote: str | None,
    ) -> AccountRefused | None:
        account = identity.account
        current = await stores.accounts.find(account.username, for_update=True)
        if current is None or current.password_hash != verified.password_hash:
            return refused("password.wrong_current", "current_password")  # changed meanwhile
        if not new_hash:
            after, locked = after_failure(current.account.login, now, self.policy)
            await stores.accounts.save_login(account.id, after, None)
            await stores.audit.record(
                AuditEntry(now, account.username, "password_change", "wrong_current", remote)
            )
            if locked:
                await self._lock(stores, account, after, now, remote)
            return refused("password.wrong_current", "current_password")
        await stores.accounts.set_password(account.id, new_hash, must_change=False)
        await stores.accounts.save_login(account.id, LoginState(), None)
        ended = await stores.sessions.revoke_all(account.id, now, keep=identity.session_id)
        detail = f"{ended} other session(s) ended"
        await stores.audit.record(
            AuditEntry(now, account.username, "password_change", "ok", remote, detail=detail)
        )
        return None

    async def _audit(self, entry: AuditEntry) -> None:
        async with self._tx() as stores:
            await stores.audit.record(entry)

    def _invalid(self) -> AccountRefused:
        return refused(
            "auth.invalid_credentials",
            "password",
            max_failures=self.policy.max_failures,
            lock_minutes=int(self.policy.lock.total_seconds() // 60),
        )

    def _locked(self, login: LoginState) -> AccountRefused:
        until = login.locked_until
        assert until is not None
        error = refused(
            "auth.account_locked",
            "username",
            max_failures=self.policy.max_failures,
            until=f"{until.astimezone(self._tz):%H:%M} ngày {until.astimezone(self._tz):%d/%m/%Y}",
        )
        retry = max(1, int((until - self._clock.now()).total_seconds() + 0.999))
        error.headers["Retry-After"] = str(retry)
        return error
