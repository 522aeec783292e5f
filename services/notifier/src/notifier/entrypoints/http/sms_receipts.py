"""The SMS gateway's delivery reports (eSMS CallbackUrl): POST /api/v1/sms/receipts/{id}?token=…

The gateway cannot carry an operator's token: the link it was given with the message is signed
(domain/sms_receipts.py), and this route takes nothing else. A final report (delivered, undelivered)
updates the notification; a step on the way (waiting, sending) changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from bdhvs_shared.api import ERROR_RESPONSES, NOT_FOUND, ErrorsOut, error_response
from notifier.domain.sms_receipts import valid_receipt_token
from notifier.entrypoints.http.deps import AckSecretDep, ClockDep, TransactionsDep
from notifier.service_layer.sms_receipts import ReceiptResult, record_sms_receipt

router = APIRouter(prefix="/api/v1", tags=["notifications"], responses=ERROR_RESPONSES)


class ReceiptIn(BaseModel):
    """The gateway's report, as eSMS posts it (other fields are ignored)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sms_id: str | None = Field(default=None, alias="SMSID", max_length=100, description="The gateway's id")
    send_status: int = Field(alias="SendStatus", ge=0, le=99, description="4 refused, 5 delivered, 6 deleted")


class ReceiptOut(BaseModel):
    notification_id: UUID
    result: Literal["recorded", "pending"] = Field(
        description="recorded: the notification is now delivered / undelivered; pending: a step on the way"
    )


@router.post(
    "/sms/receipts/{notification_id}",
    response_model=ReceiptOut,
    responses={403: {"model": ErrorsOut, "description": "sms.receipt_invalid: wrong token."}, **NOT_FOUND},
)
async def sms_receipt(
    body: ReceiptIn,
    transactions: TransactionsDep,
    clock: ClockDep,
    ack_secret: AckSecretDep,
    notification_id: Annotated[UUID, Path(description="The notification (the SMS's RequestId)")],
    token: Annotated[str, Query(max_length=200, description="The signature of the CallbackUrl")],
) -> Response:
    """Record the gateway's delivery report on one SMS."""
    if not valid_receipt_token(ack_secret, notification_id, token):
        return error_response(403, "sms.receipt_invalid", "token", "Liên kết báo cáo gửi tin không hợp lệ.")
    result = await record_sms_receipt(
        transactions, notification_id, body.send_status, body.sms_id, clock.now()
    )
    if result is ReceiptResult.UNKNOWN:
        return error_response(
            404, "sms.notification_not_found", "notification_id", "Không có tin nhắn đã gửi với mã này."
        )
    return JSONResponse({"notification_id": str(notification_id), "result": result.value})
