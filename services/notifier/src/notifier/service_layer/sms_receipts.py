"""A delivery receipt from the SMS gateway updates its notification (one transaction)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from notifier.domain.sms_receipts import receipt_state
from notifier.service_layer.ports import Transactions


class ReceiptResult(StrEnum):
    RECORDED = "recorded"  # the notification is now delivered / undelivered
    PENDING = "pending"  # a step on the way (waiting, sending): nothing to record
    UNKNOWN = "unknown"  # no sent SMS with this id (and this SMSID, when given)


async def record_sms_receipt(
    transactions: Transactions, notification_id: UUID, send_status: object, sms_id: str | None, now: datetime
) -> ReceiptResult:
    state = receipt_state(send_status)
    if state is None:
        return ReceiptResult.PENDING
    async with transactions() as stores:
        found = await stores.notifications.record_receipt(notification_id, state, now, sms_id)
    return ReceiptResult.RECORDED if found else ReceiptResult.UNKNOWN
