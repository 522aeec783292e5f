"""GET the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from notifier.adapters.store import list_notifications

router = APIRouter(prefix="/api/v1", tags=["notifications"])


class NotificationOut(BaseModel):
    id: UUID
    unit_code: str
    kind: str
    channel: str
    recipient: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    source_event_id: UUID
    correlation_id: UUID


@router.get("/notifications", response_model=list[NotificationOut])
async def notifications(
    request: Request,
    unit: Annotated[str | None, Query(max_length=5, description="Unit code")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[NotificationOut]:
    """Notifications, newest first, with their delivery status."""
    async with request.app.state.container.sessions() as session:
        rows = await list_notifications(session, unit, limit)
    return [NotificationOut(**{k: r[k] for k in NotificationOut.model_fields}) for r in rows]
