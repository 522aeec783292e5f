"""An alert email's acknowledge link: opening it acknowledges nothing; a POST with its token does.

Mail scanners follow the links in a message, so a GET must never act. The link opens a confirm page
(the web service's, when NOTIFIER_ACK_PAGE_URL is set; else the small one below), whose button POSTs
the signed token, and an optional reason, here. The reason goes to the audit log with the
acknowledgement, in one transaction.
"""

from __future__ import annotations

import html
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from bdhvs_shared.api import ERROR_RESPONSES, NOT_FOUND, ErrorsOut, error_response
from notifier.domain.signing import read_ack_token
from notifier.entrypoints.http.deps import AckSecretDep, AlertsDep
from notifier.service_layer.alerts import AckResult

router = APIRouter(prefix="/api/v1", tags=["violations"], responses=ERROR_RESPONSES)
REASON_MAX = 500


class AckIn(BaseModel):
    """The optional body of POST /violations/{id}/acknowledge."""

    reason: str = Field(default="", max_length=REASON_MAX, description="Why (kept in the audit log)")


class LinkAckOut(BaseModel):
    violation_id: int
    result: Literal["acknowledged", "resolved"] = Field(
        description="acknowledged (now or before), or resolved already (nothing to acknowledge)"
    )


@router.post(
    "/violations/{violation_id}/acknowledge-link",
    response_model=LinkAckOut,
    responses={
        200: {"content": {"text/html": {}}, "description": "JSON when asked (Accept), else an HTML page."},
        403: {"model": ErrorsOut, "description": "violation.link_invalid: the token is wrong or altered."},
        **NOT_FOUND,
    },
)
async def acknowledge_by_link(
    request: Request,
    alerts: AlertsDep,
    ack_secret: AckSecretDep,
    violation_id: Annotated[int, Path(ge=1, le=2**62)],
    token: Annotated[str, Form(max_length=1000, description="The signed token of the email's link")],
    reason: Annotated[str, Form(max_length=REASON_MAX, description="Why (audit log)")] = "",
) -> Response:
    """Acknowledge with the email link's token (form fields, as the confirm page posts them)."""
    wants_json = "application/json" in request.headers.get("accept", "")
    read = read_ack_token(ack_secret, token)
    if read is None or read[0] != violation_id:
        message = "Liên kết xác nhận không đúng hoặc đã bị thay đổi."
        if wants_json:
            return error_response(403, "violation.link_invalid", "token", message)
        return page(403, "Liên kết không hợp lệ", message)
    result = await alerts.acknowledge(violation_id, read[1], reason.strip())
    if result is AckResult.NOT_FOUND:
        if wants_json:
            return error_response(404, "violation.not_found", "", "Không có cảnh báo này.")
        return page(404, "Không tìm thấy", "Không có cảnh báo này.")
    outcome = "resolved" if result is AckResult.RESOLVED else "acknowledged"
    if wants_json:
        return JSONResponse({"violation_id": violation_id, "result": outcome})
    if outcome == "resolved":
        return page(200, "Đã kết thúc", "Tình trạng này đã kết thúc, không cần xác nhận.")
    return page(
        200,
        "Đã xác nhận",
        "Cảm ơn đồng chí. Hệ thống tạm dừng thư nhắc lại cho đến khi tình trạng của chỉ tiêu thay đổi.",
    )


def confirm_page(violation_id: int, token: str, page_url: str) -> Response:
    """What opening the link shows: the web's confirm page, or a form that POSTs here."""
    if page_url:
        return RedirectResponse(
            f"{page_url.rstrip('/')}/{violation_id}?token={quote(token)}", status_code=303
        )
    form = (
        f'<form method="post" action="/api/v1/violations/{violation_id}/acknowledge-link">'
        f'<input type="hidden" name="token" value="{html.escape(token)}">'
        '<p><label for="reason">Ghi chú (không bắt buộc)</label><br>'
        f'<textarea id="reason" name="reason" maxlength="{REASON_MAX}" rows="3" cols="40"></textarea></p>'
        '<p><button type="submit">Xác nhận đã nắm tình hình</button></p></form>'
    )
    return page(
        200,
        "Xác nhận cảnh báo",
        "Bấm nút dưới đây để xác nhận đã nắm tình hình: hệ thống tạm dừng thư nhắc lại cho đến khi tình "
        "trạng của chỉ tiêu thay đổi.",
        form,
    )


def page(status: int, title: str, text: str, extra: str = "") -> HTMLResponse:
    body = (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><p>{text}</p>{extra}</body></html>"
    )
    return HTMLResponse(body, status_code=status)
