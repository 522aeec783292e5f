"""In-memory fakes of the account use cases' ports (intake/service_layer/account_ports.py): the stores
of one transaction (kept whole, or rolled back when the block raises) and a password hasher that
counts its work. The PostgreSQL adapters answer the same (tests/integration/test_intake_accounts.py)."""

from __future__ import annotations

import contextlib
import copy
import uuid
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime

from intake.domain.account_rows import NewAccount
from intake.domain.accounts import Account, Credentials, LoginState, SessionTimes
from intake.service_layer.account_ports import AuditEntry, SessionRecord, UsernameTaken


@dataclass
class _Session:
    record: SessionRecord
    digest: str
    remote: str | None


@dataclass
class IdentityData:
    accounts: dict[str, Credentials] = field(default_factory=dict)  # by username
    sessions: dict[uuid.UUID, _Session] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)


class FakeAccounts:
    def __init__(self, data: IdentityData) -> None:
        self._data = data

    def _by_id(self, account_id: uuid.UUID) -> Credentials:
        return next(c for c in self._data.accounts.values() if c.account.id == account_id)

    def _put(self, credentials: Credentials) -> None:
        self._data.accounts[credentials.account.username] = credentials

    async def find(self, username: str, for_update: bool = False) -> Credentials | None:
        return self._data.accounts.get(username)

    async def existing(self, usernames: Collection[str]) -> set[str]:
        return {u for u in usernames if u in self._data.accounts}

    async def add(self, new: NewAccount, password_hash: str, now: datetime) -> Account:
        if new.username in self._data.accounts:
            raise UsernameTaken(new.username)
        account = Account(
            uuid.uuid4(),
            new.username,
            new.display_name,
            new.role,
            new.unit_code,
            new.agency_code,
            new.email,
            new.phone,
            active=True,
            must_change_password=True,
            login=LoginState(),
            last_sign_in_at=None,
            created_at=now,
        )
        self._put(Credentials(account, password_hash))
        return account

    async def save_login(
        self, account_id: uuid.UUID, login: LoginState, signed_in_at: datetime | None
    ) -> None:
        found = self._by_id(account_id)
        account = replace(
            found.account, login=login, last_sign_in_at=signed_in_at or found.account.last_sign_in_at
        )
        self._put(replace(found, account=account))

    async def set_password(self, account_id: uuid.UUID, password_hash: str, must_change: bool) -> None:
        found = self._by_id(account_id)
        self._put(Credentials(replace(found.account, must_change_password=must_change), password_hash))

    async def replace_hash(self, account_id: uuid.UUID, old: str, new: str) -> None:
        found = self._by_id(account_id)
        if found.password_hash == old:
            self._put(replace(found, password_hash=new))

    async def deactivate(self, account_id: uuid.UUID, now: datetime) -> None:
        found = self._by_id(account_id)
        self._put(replace(found, account=replace(found.account, active=False)))

    async def listed(self) -> list[Account]:
        return [self._data.accounts[u].account for u in sorted(self._data.accounts)]


class FakeSessions:
    def __init__(self, data: IdentityData) -> None:
        self._data = data

    async def open(
        self, account_id: uuid.UUID, token_digest: str, times: SessionTimes, remote: str | None
    ) -> uuid.UUID:
        session_id = uuid.uuid4()
        self._data.sessions[session_id] = _Session(
            SessionRecord(session_id, account_id, times), token_digest, remote
        )
        return session_id

    async def find(self, token_digest: str) -> tuple[SessionRecord, Account] | None:
        for s in self._data.sessions.values():
            if s.digest == token_digest:
                account = next(
                    c.account for c in self._data.accounts.values() if c.account.id == s.record.account_id
                )
                return s.record, account
        return None

    async def save_times(self, session_id: uuid.UUID, times: SessionTimes) -> None:
        s = self._data.sessions[session_id]
        s.record = replace(s.record, times=replace(times, revoked_at=s.record.times.revoked_at))

    async def revoke(self, session_id: uuid.UUID, now: datetime) -> None:
        s = self._data.sessions[session_id]
        if s.record.times.revoked_at is None:
            s.record = replace(s.record, times=replace(s.record.times, revoked_at=now))

    async def revoke_all(self, account_id: uuid.UUID, now: datetime, keep: uuid.UUID | None = None) -> int:
        ended = 0
        for s in self._data.sessions.values():
            live = s.record.times.state(now).value == "live"
            if s.record.account_id == account_id and s.record.id != keep and live:
                s.record = replace(s.record, times=replace(s.record.times, revoked_at=now))
                ended += 1
        return ended


class FakeAudit:
    def __init__(self, data: IdentityData) -> None:
        self._data = data

    async def record(self, entry: AuditEntry) -> None:
        self._data.audit.append(entry)


class FakeIdentityStores:
    def __init__(self, data: IdentityData) -> None:
        self.accounts = FakeAccounts(data)
        self.sessions = FakeSessions(data)
        self.audit = FakeAudit(data)


class FakeIdentity:
    """The data, and `transaction()` (an `IdentityTransactions`): all of a block, or none of it."""

    def __init__(self) -> None:
        self.data = IdentityData()
        self.transactions = 0

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeIdentityStores]:
        self.transactions += 1
        before = copy.deepcopy(self.data)
        try:
            yield FakeIdentityStores(self.data)
        except BaseException:
            self.data.accounts, self.data.sessions, self.data.audit = (
                before.accounts,
                before.sessions,
                before.audit,
            )
            raise

    def audit(self) -> list[tuple[str, str, str]]:
        return [(e.username, e.action, e.outcome) for e in self.data.audit]


class FakeHasher:
    """ "Hashes" that show the password (tests only), and a count of verifications."""

    def __init__(self) -> None:
        self.verified = 0
        self.rehash = False

    async def hash(self, password: str) -> str:
        return f"fake${password}"

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return password_hash == f"fake${password}"

    async def verify_nothing(self, password: str) -> None:
        self.verified += 1

    def needs_rehash(self, password_hash: str) -> bool:
        return self.rehash
