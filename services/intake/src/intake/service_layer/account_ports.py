"""The ports of the account use cases (`account_sessions`, `account_admin`): storage and hashing.

One transaction's stores (`IdentityStores`): accounts, sessions and the audit log. The PostgreSQL
adapter is `intake.adapters.accounts`, the argon2id hasher `intake.adapters.passwords`; the in-memory
fakes are in tests/support/account_fakes.py. Every method hands domain records, never rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from intake.domain.account_rows import NewAccount
from intake.domain.accounts import Account, Credentials, LoginState, SessionTimes


@dataclass(frozen=True)
class AuditEntry:
    """One line of intake.auth_audit: a sign-in, a failure, a lock… with who, when and from where."""

    at: datetime
    username: str
    action: str  # sign_in, lock, unlock, sign_out, password_change, password_reset, deactivate, create
    outcome: str  # ok, or why not: invalid_password, unknown_user, locked, inactive, wrong_current…
    remote_addr: str | None = None
    actor: str | None = None  # who did it, when not the account's holder (an admin)
    detail: str | None = None


@dataclass(frozen=True)
class SessionRecord:
    id: UUID
    account_id: UUID
    times: SessionTimes


class UsernameTaken(Exception):
    """Another account took this username (a concurrent create): nothing was stored."""

    def __init__(self, username: str) -> None:
        super().__init__(username)
        self.username = username


class AccountStore(Protocol):
    async def find(self, username: str, for_update: bool = False) -> Credentials | None:
        """The account and its hash; `for_update` holds its row until the transaction ends."""

    async def existing(self, usernames: Collection[str]) -> set[str]:
        """Which of these usernames are taken."""

    async def add(self, new: NewAccount, password_hash: str, now: datetime) -> Account:
        """A new active account that must change its password (UsernameTaken when taken)."""

    async def save_login(self, account_id: UUID, login: LoginState, signed_in_at: datetime | None) -> None:
        """The failed-attempt count and lock; `signed_in_at` also records a successful sign-in."""

    async def set_password(self, account_id: UUID, password_hash: str, must_change: bool) -> None: ...

    async def replace_hash(self, account_id: UUID, old: str, new: str) -> None:
        """The same password hashed with today's parameters, unless it changed meanwhile."""

    async def deactivate(self, account_id: UUID, now: datetime) -> None: ...

    async def listed(self) -> list[Account]:
        """Every account, by username."""


class SessionStore(Protocol):
    async def open(
        self, account_id: UUID, token_digest: str, times: SessionTimes, remote: str | None
    ) -> UUID:
        """A new session; only the token's SHA-256 digest is kept."""

    async def find(self, token_digest: str) -> tuple[SessionRecord, Account] | None:
        """The session of this token digest with its account (revoked and expired ones too)."""

    async def save_times(self, session_id: UUID, times: SessionTimes) -> None: ...

    async def revoke(self, session_id: UUID, now: datetime) -> None: ...

    async def revoke_all(self, account_id: UUID, now: datetime, keep: UUID | None = None) -> int:
        """End every live session of the account but `keep`; how many were ended."""


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None: ...


class IdentityStores(Protocol):
    """The stores of one transaction: all of it is kept, or none of it."""

    @property
    def accounts(self) -> AccountStore: ...

    @property
    def sessions(self) -> SessionStore: ...

    @property
    def audit(self) -> AuditLog: ...


# Opens a transaction: committed when the block ends normally, rolled back when it raises.
IdentityTransactions = Callable[[], AbstractAsyncContextManager[IdentityStores]]


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """False for a wrong password (or a hash it cannot read)."""

    async def verify_nothing(self, password: str) -> None:
        """The work of one `verify`, for an unknown username: answers take as long either way."""

    def needs_rehash(self, password_hash: str) -> bool: ...
