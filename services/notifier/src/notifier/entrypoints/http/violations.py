"""Violations: each below-target condition from opened to resolved; acknowledge to stop repeats.

The list, the detail and the acknowledge API take an operator's or admin's intake token; a commune
clerk may read (not acknowledge) its own unit's violations, nobody else's. The email's acknowledge
link carries its own signed token instead (the recipient has none).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from bdhvs_shared.api import (
    CODE,
    ERROR_RESPONSES,
    NOT_FOUND,
    UNIT_CODE,
    ErrorsOut,
    IsoDateTime,
    error_response,
)
from bdhvs_shared.auth import Caller
from bdhvs_shared.auth.caller import Role
from bdhvs_shared.auth.routes import AuthError, operator_or_admin, require_roles
from notifier.adapters.violation_store import PgViolations, list_violations
from notifier.domain.alerts import silenced
from notifier.domain.records import Violation
from notifier.domain.signing import read_ack_token
from notifier.entrypoints.http.ack_link import AckIn, confirm_page
from notifier.entrypoints.http.deps import AckPageDep, AckSecretDep, AlertsDep, ClockDep, SessionsDep
from notifier.service_layer.alerts import AckResult

router = APIRouter(prefix="/api/v1", tags=["violations"], responses=ERROR_RESPONSES)
ID = Path(ge=1, le=2**62)


class ViolationOut(BaseModel):
    id: int
    unit_code: str = Field(description="The unit; 24 is the province")
    indicator: str
    opened_at: datetime
    resolved_at: datetime | None
    duration_seconds: float = Field(description="Until resolved, or until now while open")
    worst_status: str = Field(description="off_track if it ever was, else at_risk")
    last_status: str = Field(description="While open, the current status; once resolved, the last bad one")
    resolved_status: str | None = Field(description="The status that ended it (on_track, achieved, missed…)")
    acknowledged_by: str | None = Field(
        description="Who: a person signed in as «Name (account)», an API token as «its name (role:…)», "
        "an email link's recipient by address"
    )
    acknowledged_at: datetime | None
    silenced: bool = Field(description="Acknowledged in its current status: no repeats until it changes")
    alerted_at: datetime | None = Field(description="When an alert or repeat about it last went out")
    next_repeat_at: datetime | None
    repeats: int
    inhibited_by: int | None = Field(description="The province's violation muting its alerts now")
    inhibited_at: datetime | None = Field(description="When an alert of it was last muted")


class ViolationPageOut(BaseModel):
    items: list[ViolationOut]
    total: int
    limit: int
    offset: int


def _out(row: Violation, now: datetime) -> ViolationOut:
    values = {k: getattr(row, k) for k in ViolationOut.model_fields if hasattr(row, k)}
    end = row.resolved_at or now
    return ViolationOut(
        **values,
        duration_seconds=max(0.0, (end - row.opened_at).total_seconds()),
        silenced=row.resolved_at is None and silenced(row.acknowledged_status, row.last_status),
    )


OperatorOrAdmin = Annotated[Caller, Depends(operator_or_admin)]
# Operators and admins read every violation; a commune clerk only its own unit's (own_unit below).
Reader = Annotated[Caller, Depends(require_roles(Role.OPERATOR, Role.ADMIN, Role.COMMUNE))]


def own_unit(caller: Caller, unit: str | None) -> str | None:
    """The unit a caller's list is limited to: a clerk's own (403 when it asks for another's)."""
    if caller.role is not Role.COMMUNE:
        return unit
    if unit is not None and unit != caller.unit_code:
        raise AuthError(
            403, "auth.forbidden_unit", f"Tài khoản này không được xem cảnh báo của đơn vị {unit}."
        )
    return caller.unit_code


@router.get("/violations", response_model=ViolationPageOut)
async def violations(
    sessions: SessionsDep,
    clock: ClockDep,
    caller: Reader,
    unit: Annotated[str | None, Query(pattern=UNIT_CODE, description="Unit code")] = None,
    indicator: Annotated[str | None, Query(pattern=CODE)] = None,
    state: Annotated[Literal["open", "resolved"] | None, Query()] = None,
    since: Annotated[IsoDateTime | None, Query(description="Lasting at or after (ISO 8601)")] = None,
    until: Annotated[IsoDateTime | None, Query(description="Opened before (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ViolationPageOut:
    """Violations, newest opened first; `since`/`until` keep those that lasted into that time.

    A commune clerk gets its own unit's only (403 for another unit)."""
    filters = {
        "unit_code": own_unit(caller, unit),
        "indicator": indicator,
        "state": state,
        "since": since,
        "until": until,
    }
    async with sessions() as session:
        rows, total = await list_violations(session, filters, limit, offset)
    now = clock.now()
    return ViolationPageOut(items=[_out(r, now) for r in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/violations/{violation_id}",
    response_model=ViolationOut,
    responses=NOT_FOUND,
)
async def violation(
    sessions: SessionsDep, clock: ClockDep, violation_id: Annotated[int, ID], caller: Reader
) -> Any:
    """One violation; a commune clerk reads its own unit's only (403 for another unit's)."""
    async with sessions() as session:
        row = await PgViolations(session).get(violation_id)
    if row is None:
        return _error(404, "violation.not_found", "Không có vi phạm này.")
    own_unit(caller, row.unit_code)
    return _out(row, clock.now())


@router.post(
    "/violations/{violation_id}/acknowledge",
    response_model=ViolationOut,
    responses={
        **NOT_FOUND,
        409: {"model": ErrorsOut, "description": "Resolved already (violation.resolved)."},
    },
)
async def acknowledge(
    alerts: AlertsDep,
    sessions: SessionsDep,
    clock: ClockDep,
    violation_id: Annotated[int, ID],
    caller: OperatorOrAdmin,
    body: Annotated[AckIn | None, Body()] = None,
) -> Any:
    """Stop the repeats until the status changes; 409 once resolved. Repeating it changes nothing.

    The acknowledgement is recorded under the token's holder, with the reason given (audit log)."""
    result = await alerts.acknowledge(violation_id, caller.label, body.reason if body else "")
    if result is AckResult.NOT_FOUND:
        return _error(404, "violation.not_found", "Không có vi phạm này.")
    if result is AckResult.RESOLVED:
        return _error(409, "violation.resolved", "Vi phạm đã kết thúc, không cần xác nhận.")
    return await violation(sessions, clock, violation_id, caller)


@router.get(
    "/violations/{violation_id}/acknowledge",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {}}, "description": "A confirm page whose button POSTs."},
        303: {"description": "To the web service's confirm page (NOTIFIER_ACK_PAGE_URL is set)."},
        403: {"content": {"text/html": {}}, "description": "The link's token is wrong or was altered."},
    },
)
async def acknowledge_link(
    ack_secret: AckSecretDep,
    ack_page_url: AckPageDep,
    violation_id: Annotated[int, ID],
    token: Annotated[str, Query(max_length=1000, description="The signed token of the email's link")],
) -> Response:
    """The email's link: the token names the violation and the recipient, signed (HMAC-SHA256).

    Opening it acknowledges nothing (a mail scanner follows links): it shows a page whose button POSTs
    (`/acknowledge-link`), or sends the person to the web service's confirm page (NOTIFIER_ACK_PAGE_URL).
    """
    read = read_ack_token(ack_secret, token)
    if read is None or read[0] != violation_id:
        return _page(403, "Liên kết không hợp lệ", "Liên kết xác nhận không đúng hoặc đã bị thay đổi.")
    return confirm_page(violation_id, token, ack_page_url)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return error_response(status, code, "", message)


def _page(status: int, title: str, text: str) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body style="font-family: Arial, sans-serif"><h2>{title}</h2><p>{text}</p></body></html>'
    )
    return HTMLResponse(html, status_code=status)
