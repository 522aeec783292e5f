"""SMS delivery receipts (pure): what the gateway's report means, and the link it reports to.

An eSMS-shaped gateway accepts a message with CodeResult "100" and an SMSID; whether the phone got
it comes later: the gateway calls the `CallbackUrl` sent with the message (docs/channels.md). Its
`SendStatus`: 1 waiting for approval, 2 waiting to send, 3 sending, 4 refused by the carrier,
5 delivered, 6 deleted. 5 marks the notification delivered, 4 and 6 undelivered; the others are
steps on the way and change nothing. The callback link carries an HMAC of the notification id
(NOTIFIER_ACK_SECRET's key, its own prefix), so nobody else can report on a notification.
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

from bdhvs_shared.constant_time import same_secret

DELIVERED = "delivered"
UNDELIVERED = "undelivered"
SEND_STATUS = {4: UNDELIVERED, 5: DELIVERED, 6: UNDELIVERED}


def receipt_state(send_status: object) -> str | None:
    """delivered / undelivered for a final SendStatus; None while the gateway is still at it."""
    try:
        return SEND_STATUS.get(int(str(send_status)))
    except ValueError:
        return None


def receipt_token(secret: bytes, notification_id: UUID) -> str:
    return hmac.new(secret, f"sms-receipt.{notification_id}".encode(), hashlib.sha256).hexdigest()


def valid_receipt_token(secret: bytes, notification_id: UUID, token: str) -> bool:
    return same_secret(receipt_token(secret, notification_id), token)


def receipt_url(public_url: str, secret: bytes, notification_id: UUID) -> str:
    """The CallbackUrl sent with one SMS: POST (or GET) /api/v1/sms/receipts/{id}?token=…"""
    token = receipt_token(secret, notification_id)
    return f"{public_url.rstrip('/')}/api/v1/sms/receipts/{notification_id}?token={token}"
