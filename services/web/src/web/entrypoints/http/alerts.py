"""Alerts: open violations with their duration, acknowledge with a reason (POST); the email link's
confirm page (only its POST acknowledges); the delivery log with its filters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response

from web.domain.problems import ApiRefused, Forbidden
from web.domain.session import Session
from web.entrypoints.http.deps import ContainerDep, PagesDep, SessionDep
from web.entrypoints.http.security import checked_form, session_of

router = APIRouter()
ViolationId = Annotated[int, Path(ge=1, le=2**62)]


ALERTS_PER_PAGE = 50


def _handles_alerts(session: Session) -> None:
    if not session.viewer.handles_alerts:
        raise Forbidden(403)


@router.get("/canh-bao")
async def violations(
    session: SessionDep,
    container: ContainerDep,
    pages: PagesDep,
    state: Annotated[Literal["open", "resolved"], Query(alias="trang-thai")] = "open",
    done: Annotated[int | None, Query(alias="da-xac-nhan", ge=1, le=2**62)] = None,
    unit: Annotated[str, Query(alias="don-vi", pattern=r"^([0-9]{2}([0-9]{3})?)?$")] = "",
    indicator: Annotated[str, Query(alias="chi-tieu", pattern=r"^[a-z0-9_]{0,32}$")] = "",
    page_no: Annotated[int, Query(alias="trang", ge=1, le=10_000)] = 1,
) -> Response:
    """A page at a time (a province has hundreds open at once), by unit and indicator if asked."""
    _handles_alerts(session)
    page = await container.notifier.violations(
        session.token,
        state=state,
        unit=unit or None,
        indicator=indicator or None,
        limit=ALERTS_PER_PAGE,
        offset=(page_no - 1) * ALERTS_PER_PAGE,
    )
    items = [{**v, "duration": timedelta(seconds=v["duration_seconds"])} for v in page["items"]]
    return pages(
        "alerts.html",
        session,
        title="Cảnh báo",
        items=items,
        total=page["total"],
        state=state,
        done=done,
        filters={"unit": unit, "indicator": indicator},
        page_no=page_no,
        size=ALERTS_PER_PAGE,
        indicators=[code for code, i in container.catalogue.indicators.items() if i.targets],
    )


@router.post("/canh-bao/{violation_id}/xac-nhan")
async def acknowledge(
    request: Request, violation_id: ViolationId, session: SessionDep, container: ContainerDep, pages: PagesDep
) -> Response:
    _handles_alerts(session)
    form = await checked_form(request, session)
    reason = str(form.get("reason") or "").strip()[:500]
    try:
        await container.notifier.acknowledge(session.token, violation_id, reason)
    except ApiRefused as refused:
        if refused.status in (401, 403):
            raise
        return pages(
            "error.html",
            session,
            status=refused.status,
            title="Không xác nhận được",
            message=refused.errors[0].message,
        )
    return RedirectResponse(f"/canh-bao?da-xac-nhan={violation_id}", status_code=303)


@router.get("/xac-nhan-canh-bao/{violation_id}")
async def link_confirm_page(
    request: Request,
    violation_id: ViolationId,
    pages: PagesDep,
    token: Annotated[str, Query(max_length=1000)] = "",
) -> Response:
    """Where the email's link leads: a page whose button POSTs. Opening it acknowledges nothing."""
    return pages(
        "ack_confirm.html",
        session_of(request),
        title="Xác nhận cảnh báo",
        violation_id=violation_id,
        token=token,
        outcome=None,
        message="",
    )


@router.post("/xac-nhan-canh-bao/{violation_id}")
async def link_confirm(
    request: Request, violation_id: ViolationId, container: ContainerDep, pages: PagesDep
) -> Response:
    session = session_of(request)
    form = await checked_form(request, session)
    token, reason = str(form.get("token") or ""), str(form.get("reason") or "").strip()[:500]
    try:
        answer = await container.notifier.acknowledge_by_link(violation_id, token, reason)
    except ApiRefused as refused:
        return pages(
            "ack_confirm.html",
            session,
            status=refused.status,
            title="Xác nhận cảnh báo",
            violation_id=violation_id,
            token="",
            outcome="refused",
            message=refused.errors[0].message,
        )
    return pages(
        "ack_confirm.html",
        session,
        title="Xác nhận cảnh báo",
        violation_id=violation_id,
        token="",
        outcome=answer["result"],
        message="",
    )


CHANNELS = ("email", "sms", "webhook")
STATUSES = ("pending", "sent", "failed")


@router.get("/nhat-ky-gui")
async def deliveries(
    session: SessionDep,
    container: ContainerDep,
    pages: PagesDep,
    unit: Annotated[str, Query(alias="don-vi", pattern=r"^([0-9]{2}([0-9]{3})?)?$")] = "",
    channel: Annotated[Literal["", "email", "sms", "webhook"], Query(alias="kenh")] = "",
    status: Annotated[Literal["", "pending", "sent", "failed"], Query(alias="trang-thai")] = "",
    since: Annotated[str, Query(alias="tu-ngay", pattern=r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")] = "",
    page_no: Annotated[int, Query(alias="trang", ge=1, le=10_000)] = 1,
) -> Response:
    _handles_alerts(session)
    size = 50
    since_at = datetime.combine(_day(since, "tu-ngay"), time(), container.tz).isoformat() if since else None
    log = await container.notifier.notifications(
        session.token,
        unit=unit or None,
        channel=channel or None,
        status=status or None,
        since=since_at,
        limit=size,
        offset=(page_no - 1) * size,
    )
    filters = {"unit": unit, "channel": channel, "status": status, "since": since}
    return pages(
        "deliveries.html",
        session,
        title="Nhật ký gửi",
        log=log,
        filters=filters,
        page_no=page_no,
        size=size,
        channels=CHANNELS,
        statuses=STATUSES,
    )


def _day(text: str, field: str) -> date:
    """A YYYY-MM-DD the pattern let through may still be no day of the calendar (2026-02-30, found by
    the web fuzz as a 500): the 422 page names the field."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        error = {"loc": ("query", field), "msg": "not a calendar day", "type": "value_error", "input": text}
        raise RequestValidationError([error]) from None
