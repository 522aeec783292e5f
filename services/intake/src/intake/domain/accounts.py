"""People's accounts: who they are, when a failed sign-in locks them, when a session ends (pure rules).

- Lockout: `AuthPolicy.max_failures` failed sign-ins in a row lock the account for `lock`; during the
  lock every attempt is refused, the right password too, without checking it (and without extending
  the lock); a success resets the count; when the lock ends the count starts again from zero.
- Sessions end at the first of two limits: `idle` after the last use, `absolute` after the sign-in.
  Each use slides the idle limit (never past the absolute one), at most once per `slide_every`, so a
  busy session writes at most once a minute.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from bdhvs_shared.auth.caller import Role

# Lower-case ASCII letters, digits, '.', '_' and '-'; 3 to 40 characters, starting with a letter or digit.
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")
# NUL, newlines and the other C0/DEL controls: no name, e-mail or username has a use for one, and
# PostgreSQL text cannot hold NUL (storing one would fail the whole request).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def could_be_a_username(name: str) -> bool:
    """False for a name no account can have: sign-in refuses it without asking the database."""
    return USERNAME_PATTERN.fullmatch(name) is not None


def printable(text: str, limit: int = 64) -> str:
    """What the audit keeps of a name someone typed: controls replaced, at most `limit` characters."""
    return CONTROL_CHARACTERS.sub("?", text)[:limit]


# Session tokens start "bdhvss_", API tokens "bdhvs_": one look tells which table holds the digest.
SESSION_TOKEN_PREFIX = "bdhvss_"


def new_session_token() -> str:
    return SESSION_TOKEN_PREFIX + secrets.token_urlsafe(32)


def is_session_token(token: str) -> bool:
    return token.startswith(SESSION_TOKEN_PREFIX)


def token_digest(token: str) -> str:
    """What is stored of a session token (as of an API token, adapters/tokens.py): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_username(text: str) -> str:
    """Usernames are compared without case and surrounding spaces."""
    return text.strip().lower()


@dataclass(frozen=True)
class AuthPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    max_failures: int = 5
    lock: timedelta = timedelta(minutes=15)
    slide_every: timedelta = timedelta(minutes=1)


@dataclass(frozen=True)
class LoginState:
    failed_attempts: int = 0  # failed sign-ins in a row since the last success or lock
    locked_until: datetime | None = None  # set while (and after) a lock; cleared at the next attempt

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def lock_ended_at(self, now: datetime) -> bool:
        """A lock that has run out but is still recorded (the first attempt after it clears it)."""
        return self.locked_until is not None and now >= self.locked_until


def after_failure(state: LoginState, now: datetime, policy: AuthPolicy) -> tuple[LoginState, bool]:
    """The state after a wrong password, and whether this attempt locks the account."""
    count = (0 if state.lock_ended_at(now) else state.failed_attempts) + 1
    if count >= policy.max_failures:
        return LoginState(0, now + policy.lock), True
    return LoginState(count, None), False


@dataclass(frozen=True)
class Account:
    id: UUID
    username: str
    display_name: str
    role: Role
    unit_code: str | None
    agency_code: str | None
    email: str | None
    phone: str | None
    active: bool
    must_change_password: bool
    login: LoginState
    last_sign_in_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Credentials:
    """An account with its password hash (argon2id); the hash never leaves the use cases."""

    account: Account
    password_hash: str


class SessionState(StrEnum):
    LIVE = "live"
    IDLE = "idle"  # unused for longer than the idle limit
    EXPIRED = "expired"  # past the absolute limit
    REVOKED = "revoked"  # signed out, or its account reset or deactivated


@dataclass(frozen=True)
class SessionTimes:
    created_at: datetime
    last_seen_at: datetime
    idle_expires_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def state(self, now: datetime) -> SessionState:
        if self.revoked_at is not None:
            return SessionState.REVOKED
        if now >= self.expires_at:
            return SessionState.EXPIRED
        if now >= self.idle_expires_at:
            return SessionState.IDLE
        return SessionState.LIVE


def open_session(now: datetime, policy: AuthPolicy) -> SessionTimes:
    expires = now + policy.absolute
    return SessionTimes(now, now, min(now + policy.idle, expires), expires)


def slide(times: SessionTimes, now: datetime, policy: AuthPolicy) -> SessionTimes | None:
    """The times after a use at `now`, or None when the last slide is younger than `slide_every`."""
    if now - times.last_seen_at < policy.slide_every:
        return None
    return replace(times, last_seen_at=now, idle_expires_at=min(now + policy.idle, times.expires_at))
