"""API tokens: random secrets shown once, stored as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from sqlalchemy import select
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
        )
    )
    return token


async def principal_for(session: AsyncSession, token: str) -> Principal | None:
    row = (
        await session.execute(
            select(
                api_tokens.c.id, api_tokens.c.role, api_tokens.c.unit_code, api_tokens.c.agency_code
            ).where(api_tokens.c.token_sha256 == digest(token), api_tokens.c.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    return Principal(
        token_id=row.id, role=Role(row.role), unit_code=row.unit_code, agency_code=row.agency_code
    )
