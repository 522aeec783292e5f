"""GET the delivery log, filtered and paged."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from bdhvs_shared.api import ERROR_RESPONSES, UNIT_CODE, IsoDateTime
from bdhvs_shared.auth.routes import operator_or_admin
from notifier.adapters.notification_store import list_notifications
from notifier.entrypoints.http.deps import SessionsDep

router = APIRouter(
    prefix="/api/v1",
    tags=["notifications"],
    dependencies=[Depends(operator_or_admin)],
    responses=ERROR_RESPONSES,
)
# PostgreSQL text cannot hold NUL: refuse it as a bad request rather than fail the query.
NO_NUL = r"^[^\x00]*$"


class NotificationOut(BaseModel):
    id: UUID
    unit_code: str
    kind: str
    channel: str = Field(description="email, sms or webhook")
    recipient: str = Field(description="The address on that channel: email, phone (84…) or URL")
    subject: str
    status: str = Field(description="pending (queued or waiting for a retry), sent or failed")
    attempts: int
    last_error: str | None = Field(description="The last failure's reason, e.g. `HTTP 503: ...`")
    sms_segments: int | None = Field(description="SMS only: parts the text costs")
    sms_encoding: str | None = Field(description="SMS only: gsm7 (no diacritics) or ucs2")
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    failed_at: datetime | None
    provider_message_id: str | None = Field(description="The peer's id (SMTP Message-ID, gateway SMSID)")
    delivery_status: str | None = Field(
        default=None,
        description="SMS: the gateway's delivery report, delivered or undelivered (none yet: null)",
    )
    delivery_reported_at: datetime | None = Field(default=None, description="When the gateway reported it")
    source_event_id: UUID
    correlation_id: UUID


class NotificationPageOut(BaseModel):
    items: list[NotificationOut]
    total: int = Field(description="Notifications matching the filters, over all pages")
    limit: int
    offset: int


@router.get("/notifications", response_model=NotificationPageOut)
async def notifications(
    sessions: SessionsDep,
    unit: Annotated[str | None, Query(pattern=UNIT_CODE, description="Unit code")] = None,
    recipient: Annotated[
        str | None, Query(max_length=500, pattern=NO_NUL, description="Exact address")
    ] = None,
    kind: Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$", description="e.g. kpi_below_target")] = None,
    channel: Annotated[Literal["email", "sms", "webhook"] | None, Query()] = None,
    status: Annotated[Literal["pending", "sent", "failed"] | None, Query()] = None,
    since: Annotated[IsoDateTime | None, Query(description="Created at or after (ISO 8601)")] = None,
    until: Annotated[IsoDateTime | None, Query(description="Created before (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> NotificationPageOut:
    """The delivery log: notifications newest first, with their delivery status."""
    filters = {
        "unit_code": unit,
        "recipient": recipient,
        "kind": kind,
        "channel": channel,
        "status": status,
        "since": since,
        "until": until,
    }
    async with sessions() as session:
        rows, total = await list_notifications(session, filters, limit, offset)
    items = [NotificationOut(**{k: r[k] for k in NotificationOut.model_fields}) for r in rows]
    return NotificationPageOut(items=items, total=total, limit=limit, offset=offset)
