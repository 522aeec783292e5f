"""The account use cases' stores (`service_layer.account_ports`) on PostgreSQL, one session and
transaction: accounts, account_sessions and auth_audit (adapters/account_tables.py)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.auth.caller import Role
from intake.adapters.tables import account_sessions, accounts, auth_audit
from intake.domain.account_rows import NewAccount
from intake.domain.accounts import Account, Credentials, LoginState, SessionTimes
from intake.service_layer.account_ports import (
    AuditEntry,
    IdentityStores,
    IdentityTransactions,
    SessionRecord,
    UsernameTaken,
)

_ACCOUNT_COLUMNS = [c for c in accounts.c if c.name != "password_hash"]


def _account(row: Any) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        unit_code=row.unit_code,
        agency_code=row.agency_code,
        email=row.email,
        phone=row.phone,
        active=row.active,
        must_change_password=row.must_change_password,
        login=LoginState(row.failed_attempts, row.locked_until),
        last_sign_in_at=row.last_sign_in_at,
        created_at=row.created_at,
    )


class PgAccounts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, username: str, for_update: bool = False) -> Credentials | None:
        query = select(accounts).where(accounts.c.username == username)
        row = (await self._session.execute(query.with_for_update() if for_update else query)).first()
        return None if row is None else Credentials(_account(row), row.password_hash)

    async def existing(self, usernames: Collection[str]) -> set[str]:
        if not usernames:
            return set()
        query = select(accounts.c.username).where(accounts.c.username.in_(list(usernames)))
        return set((await self._session.execute(query)).scalars())

    async def add(self, new: NewAccount, password_hash: str, now: datetime) -> Account:
        values = {
            "id": uuid.uuid4(),
            "username": new.username,
            "display_name": new.display_name,
            "role": new.role.value,
            "unit_code": new.unit_code,
            "agency_code": new.agency_code,
            "email": new.email,
            "phone": new.phone,
            "password_hash": password_hash,
            "active": True,
            "must_change_password": True,
            "failed_attempts": 0,
            "created_at": now,
        }
        try:
            async with self._session.begin_nested():  # a taken username leaves the transaction usable
                row = (
                    await self._session.execute(accounts.insert().values(values).returning(*_ACCOUNT_COLUMNS))
                ).one()
        except IntegrityError as exc:
            raise UsernameTaken(new.username) from exc
        return _account(row)

    async def save_login(
        self, account_id: uuid.UUID, login: LoginState, signed_in_at: datetime | None
    ) -> None:
        values: dict[str, object] = {
            "failed_attempts": login.failed_attempts,
            "locked_until": login.locked_until,
        }
        if signed_in_at is not None:
            values["last_sign_in_at"] = signed_in_at
        await self._session.execute(update(accounts).where(accounts.c.id == account_id).values(values))

    async def set_password(self, account_id: uuid.UUID, password_hash: str, must_change: bool) -> None:
        await self._session.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(password_hash=password_hash, must_change_password=must_change)
        )

    async def replace_hash(self, account_id: uuid.UUID, old: str, new: str) -> None:
        await self._session.execute(
            update(accounts)
            .where(accounts.c.id == account_id, accounts.c.password_hash == old)
            .values(password_hash=new)
        )

    async def deactivate(self, account_id: uuid.UUID, now: datetime) -> None:
        await self._session.execute(
            update(accounts)
            .where(accounts.c.id == account_id, accounts.c.active.is_(True))
            .values(active=False, deactivated_at=now)
        )

    async def listed(self) -> list[Account]:
        rows = await self._session.execute(select(*_ACCOUNT_COLUMNS).order_by(accounts.c.username))
        return [_account(r) for r in rows]


class PgSessions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open(
        self, account_id: uuid.UUID, token_digest: str, times: SessionTimes, remote: str | None
    ) -> uuid.UUID:
        session_id = uuid.uuid4()
        await self._session.execute(
            account_sessions.insert().values(
                id=session_id,
                token_sha256=token_digest,
                account_id=account_id,
                created_at=times.created_at,
                last_seen_at=times.last_seen_at,
                idle_expires_at=times.idle_expires_at,
                expires_at=times.expires_at,
                remote_addr=remote,
            )
        )
        return session_id

    async def find(self, token_digest: str) -> tuple[SessionRecord, Account] | None:
        s = account_sessions.c
        query = (
            select(
                s.id.label("session_id"),
                s.created_at.label("session_created_at"),
                s.last_seen_at,
                s.idle_expires_at,
                s.expires_at,
                s.revoked_at,
                *_ACCOUNT_COLUMNS,
            )
            .join_from(account_sessions, accounts, s.account_id == accounts.c.id)
            .where(s.token_sha256 == token_digest)
        )
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        times = SessionTimes(
            row.session_created_at, row.last_seen_at, row.idle_expires_at, row.expires_at, row.revoked_at
        )
        return SessionRecord(row.session_id, row.id, times), _account(row)

    async def save_times(self, session_id: uuid.UUID, times: SessionTimes) -> None:
        await self._session.execute(
            update(account_sessions)
            .where(account_sessions.c.id == session_id)
            .values(last_seen_at=times.last_seen_at, idle_expires_at=times.idle_expires_at)
        )

    async def revoke(self, session_id: uuid.UUID, now: datetime) -> None:
        await self._session.execute(
            update(account_sessions)
            .where(account_sessions.c.id == session_id, account_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_all(self, account_id: uuid.UUID, now: datetime, keep: uuid.UUID | None = None) -> int:
        s = account_sessions.c
        query = (
            update(account_sessions)
            .where(
                s.account_id == account_id,
                s.revoked_at.is_(None),
                s.expires_at > now,
                s.idle_expires_at > now,
            )
            .values(revoked_at=now)
            .returning(s.id)
        )
        if keep is not None:
            query = query.where(s.id != keep)
        return len((await self._session.execute(query)).all())


class PgAudit:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, entry: AuditEntry) -> None:
        await self._session.execute(
            auth_audit.insert().values(
                at=entry.at,
                username=entry.username[:100],
                action=entry.action,
                outcome=entry.outcome,
                remote_addr=entry.remote_addr,
                actor=entry.actor,
                detail=entry.detail,
            )
        )


class PgIdentityStores:
    """`IdentityStores` on a session whose transaction the caller opened."""

    def __init__(self, session: AsyncSession) -> None:
        self.accounts = PgAccounts(session)
        self.sessions = PgSessions(session)
        self.audit = PgAudit(session)


def pg_identity_transactions(sessions: async_sessionmaker[AsyncSession]) -> IdentityTransactions:
    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[IdentityStores]:
        async with sessions() as session, session.begin():
            yield PgIdentityStores(session)

    return transaction
