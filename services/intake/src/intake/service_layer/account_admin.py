"""An admin's work on accounts: list, create one, import many from a CSV (dry run, then all or
nothing), reset a password, deactivate. Each new or reset account gets a one-time initial password,
returned once and stored only as its hash; its holder must change it at the first sign-in."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from uuid import UUID
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Catalogue
from bdhvs_shared.clock import Clock
from bdhvs_shared.progress import NO_PROGRESS, Progress
from intake.domain.account_problems import AccountRefused, account_problem, refused
from intake.domain.account_rows import NewAccount, check_new_account, header_problems
from intake.domain.accounts import Account, LoginState, normalise_username
from intake.domain.labels import shown
from intake.domain.passwords import canonical, initial_password, password_problems
from intake.domain.problems import Problem
from intake.service_layer.account_ports import (
    AuditEntry,
    IdentityTransactions,
    PasswordHasher,
    UsernameTaken,
)


@dataclass(frozen=True)
class RowProblem:
    row: int  # the 1-based line of the file; 0 for the whole file
    column: str  # the column's key ("" for the whole row or file)
    problem: Problem


@dataclass(frozen=True)
class ImportPlan:
    rows: list[tuple[int, NewAccount]]
    errors: list[RowProblem]


@dataclass(frozen=True)
class Actor:
    """Who acts: an admin's username (session) or token label, where from, and their account if any."""

    label: str
    remote: str | None = None
    account_id: UUID | None = None


def column_letter(keys: Sequence[str], key: str) -> str:
    """The letter of `key`'s column in the file ("" when absent); accounts files have few columns."""
    if key not in keys:
        return ""
    index, letters = keys.index(key), ""
    while True:
        index, rest = divmod(index, 26)
        letters = chr(65 + rest) + letters
        if index == 0:
            return letters
        index -= 1


class AccountAdmin:
    def __init__(
        self,
        transactions: IdentityTransactions,
        hasher: PasswordHasher,
        clock: Clock,
        catalogue: Callable[[], Catalogue],
        tz: ZoneInfo,
        new_password: Callable[[], str] = initial_password,
    ) -> None:
        self._tx, self._hasher, self._clock = transactions, hasher, clock
        self._catalogue, self._tz, self._new_password = catalogue, tz, new_password

    async def listed(self) -> list[Account]:
        async with self._tx() as stores:
            return await stores.accounts.listed()

    async def create(
        self, actor: Actor, values: Mapping[str, object], chosen: str | None = None
    ) -> tuple[Account, str]:
        """A new account and its initial password; AccountRefused (422 every problem, 409 taken).

        `chosen`: a password its holder chose (the command line), checked by the policy, not to be
        changed at the first sign-in.
        """
        checked = check_new_account(values, self._catalogue(), self._clock.now().astimezone(self._tz).date())
        if isinstance(checked, list):
            raise AccountRefused(*checked)
        if chosen is not None and (problems := password_problems(checked.username, chosen, "password")):
            raise AccountRefused(*problems)
        created = await self._add(actor, [checked], None if chosen is None else canonical(chosen))
        return created[0]

    def plan_import(self, keys: list[str], rows: Sequence[tuple[int, Mapping[str, object]]]) -> ImportPlan:
        """Every row checked; the file's problems first. Usernames taken are checked in `check_taken`."""
        errors = [RowProblem(0, p.field, p) for p in header_problems(keys)]
        if not rows:
            errors.append(RowProblem(0, "", account_problem("accounts_file.empty", "")))
        if errors:
            return ImportPlan([], errors)
        catalogue, today = self._catalogue(), self._clock.now().astimezone(self._tz).date()
        planned: list[tuple[int, NewAccount]] = []
        first_row: dict[str, int] = {}
        for row, values in rows:

            def where(field: str, row: int = row) -> str:
                letter = column_letter(keys, field)
                return f"Dòng {row}, cột {letter} ({field}): " if letter else f"Dòng {row}: "

            checked = check_new_account(values, catalogue, today, where)
            if isinstance(checked, list):
                errors += [RowProblem(row, p.field, p) for p in checked]
                continue
            if checked.username in first_row:
                duplicate = account_problem(
                    "account.username_duplicate",
                    "username",
                    where=where("username"),
                    username=checked.username,
                    first_row=first_row[checked.username],
                )
                errors.append(RowProblem(row, "username", duplicate))
                continue
            first_row[checked.username] = row
            planned.append((row, checked))
        return ImportPlan(planned, errors)

    async def check_taken(self, keys: list[str], plan: ImportPlan) -> ImportPlan:
        """The plan with an error for each username another account already has."""
        async with self._tx() as stores:
            taken = await stores.accounts.existing([a.username for _, a in plan.rows])
        errors = list(plan.errors)
        for row, new in plan.rows:
            if new.username in taken:
                letter = column_letter(keys, "username")
                where = f"Dòng {row}, cột {letter} (username): "
                problem = account_problem(
                    "account.username_taken", "username", where=where, username=new.username
                )
                errors.append(RowProblem(row, "username", problem))
        errors.sort(key=lambda e: e.row)
        return ImportPlan([r for r in plan.rows if r[1].username not in taken], errors)

    async def commit_import(
        self, actor: Actor, plan: ImportPlan, progress: Progress = NO_PROGRESS
    ) -> list[tuple[Account, str]]:
        """Every planned account in one transaction (the plan must have no errors); `progress` is told
        each password hashed (argon2id: the long part of a large import)."""
        assert not plan.errors
        return await self._add(actor, [new for _, new in plan.rows], progress=progress)

    async def _add(
        self,
        actor: Actor,
        accounts: list[NewAccount],
        chosen: str | None = None,
        progress: Progress = NO_PROGRESS,
    ) -> list[tuple[Account, str]]:
        passwords = [chosen or self._new_password() for _ in accounts]

        async def hashed(password: str) -> str:
            digest = await self._hasher.hash(password)
            progress.advance()
            return digest

        hashes = await asyncio.gather(*(hashed(p) for p in passwords))
        now = self._clock.now()
        try:
            async with self._tx() as stores:
                taken = await stores.accounts.existing([a.username for a in accounts])
                if taken:
                    raise UsernameTaken(sorted(taken)[0])
                created = [
                    await stores.accounts.add(new, h, now) for new, h in zip(accounts, hashes, strict=True)
                ]
                if chosen is not None:  # its holder's own: no change required
                    for account in created:
                        await stores.accounts.set_password(account.id, hashes[0], must_change=False)
                    created = [replace(a, must_change_password=False) for a in created]
                for account in created:
                    entry = AuditEntry(now, account.username, "create", "ok", actor.remote, actor.label)
                    await stores.audit.record(entry)
        except UsernameTaken as exc:
            raise refused("account.username_taken", "username", username=exc.username) from None
        return list(zip(created, passwords, strict=True))

    async def reset_password(self, actor: Actor, username: str) -> str:
        """A new initial password (to be changed at the next sign-in); the lock and sessions end."""
        password = self._new_password()
        password_hash = await self._hasher.hash(password)
        now = self._clock.now()
        async with self._tx() as stores:
            found = await stores.accounts.find(normalise_username(username), for_update=True)
            if found is None:
                raise refused("account.unknown", "username", username=shown(username))
            account = found.account
            if account.login.locked_until is not None:
                unlock = AuditEntry(now, account.username, "unlock", "ok", actor.remote, actor.label, "reset")
                await stores.audit.record(unlock)
            await stores.accounts.set_password(account.id, password_hash, must_change=True)
            await stores.accounts.save_login(account.id, LoginState(), None)
            ended = await stores.sessions.revoke_all(account.id, now)
            detail = f"{ended} session(s) ended"
            entry = AuditEntry(
                now, account.username, "password_reset", "ok", actor.remote, actor.label, detail
            )
            await stores.audit.record(entry)
        return password

    async def deactivate(self, actor: Actor, username: str) -> None:
        """The account can no longer sign in; its sessions end at once. Deactivating twice is harmless."""
        now = self._clock.now()
        async with self._tx() as stores:
            found = await stores.accounts.find(normalise_username(username), for_update=True)
            if found is None:
                raise refused("account.unknown", "username", username=shown(username))
            account = found.account
            if account.id == actor.account_id:
                raise refused("account.cannot_deactivate_self", "username")
            await stores.accounts.deactivate(account.id, now)
            ended = await stores.sessions.revoke_all(account.id, now)
            detail = f"{ended} session(s) ended"
            entry = AuditEntry(now, account.username, "deactivate", "ok", actor.remote, actor.label, detail)
            await stores.audit.record(entry)
