"""API tokens: random secrets shown once, stored as SHA-256 digests; revoked or past their expiry,
they are refused."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import api_tokens
from intake.domain.principal import Principal, Role


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    session: AsyncSession,
    role: Role,
    unit_code: str | None,
    label: str,
    now: datetime,
    agency_code: str | None = None,
    expires_at: datetime | None = None,
) -> str:
    token = "bdhvs_" + secrets.token_urlsafe(32)
    await session.execute(
        api_tokens.insert().values(
            id=uuid.uuid4(),
            token_sha256=digest(token),
            role=role.value,
            unit_code=unit_code,
            agency_code=agency_code,
            label=label,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return token


async def principal_for(session: AsyncSession, token: str, now: datetime) -> Principal | None:
    """The token's holder; None when it is unknown, revoked, or expired at `now`."""
    row = (
        await session.execute(
            select(
                api_tokens.c.id,
                api_tokens.c.role,
                api_tokens.c.unit_code,
                api_tokens.c.agency_code,
                api_tokens.c.label,
            ).where(
                api_tokens.c.token_sha256 == digest(token),
                api_tokens.c.revoked_at.is_(None),
                or_(api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > now),
            )
        )
    ).first()
    if row is None:
        return None
    return Principal(
        token_id=row.id,
        role=Role(row.role),
        unit_code=row.unit_code,
        agency_code=row.agency_code,
        name=row.label or None,
    )


async def list_tokens(session: AsyncSession) -> list[dict[str, object]]:
    """Every token's metadata (never the secret), oldest first."""
    rows = await session.execute(
        select(
            api_tokens.c.id,
            api_tokens.c.role,
            api_tokens.c.unit_code,
            api_tokens.c.agency_code,
            api_tokens.c.label,
            api_tokens.c.created_at,
            api_tokens.c.expires_at,
            api_tokens.c.revoked_at,
        ).order_by(api_tokens.c.created_at)
    )
    return [dict(r) for r in rows.mappings()]


async def revoke(session: AsyncSession, token_id: uuid.UUID, now: datetime) -> bool:
    """End a token (kept for the record); False when unknown or already revoked."""
    result = await session.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(api_tokens.c.id)
    )
    return result.first() is not None
