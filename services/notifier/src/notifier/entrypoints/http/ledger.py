"""GET the deadline ledger: what is pending, sent, skipped or cancelled, for operators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from bdhvs_shared.api import CODE, ERROR_RESPONSES, UNIT_CODE
from bdhvs_shared.auth.routes import operator_or_admin
from notifier.adapters.ledger_store import list_ledger
from notifier.entrypoints.http.deps import SessionsDep

router = APIRouter(
    prefix="/api/v1", tags=["ledger"], dependencies=[Depends(operator_or_admin)], responses=ERROR_RESPONSES
)


class LedgerItemOut(BaseModel):
    id: int
    form: str
    period: str
    unit_code: str = Field(description="The unit chased; for a summary, the province (24)")
    kind: str = Field(description="reminder_<n>d, overdue, escalation or summary")
    due_at: datetime
    deadline: datetime = Field(description="The cut-off: a report must arrive strictly before it")
    expires_at: datetime | None = Field(description="Reminders: skipped, not sent, from this moment")
    status: str = Field(
        description="pending, sent, skipped (stale or nothing to say) or cancelled (reported)"
    )
    note: str | None
    recipients: int = Field(description="Notifications queued for it (one per recipient and channel)")
    created_at: datetime
    done_at: datetime | None


class LedgerPageOut(BaseModel):
    items: list[LedgerItemOut]
    total: int = Field(description="Items matching the filters, over all pages")
    limit: int
    offset: int


@router.get("/ledger", response_model=LedgerPageOut)
async def ledger(
    sessions: SessionsDep,
    form: Annotated[str | None, Query(pattern=CODE, description="Form code")] = None,
    period: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{4}(-(W[0-9]{2}|[0-9]{2}|Q[1-4]|H[12]))?$", description="e.g. 2026-03"),
    ] = None,
    unit: Annotated[str | None, Query(pattern=UNIT_CODE, description="Unit code")] = None,
    kind: Annotated[str | None, Query(pattern=r"^[a-z0-9_]{1,20}$", description="e.g. overdue")] = None,
    status: Annotated[Literal["pending", "sent", "skipped", "cancelled"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> LedgerPageOut:
    """The deadline ledger by due time: reminders, overdue notices, escalations and summaries."""
    filters = {"form": form, "period": period, "unit_code": unit, "kind": kind, "status": status}
    async with sessions() as session:
        rows, total = await list_ledger(session, filters, limit, offset)
    items = [LedgerItemOut(**{k: r[k] for k in LedgerItemOut.model_fields}) for r in rows]
    return LedgerPageOut(items=items, total=total, limit=limit, offset=offset)
