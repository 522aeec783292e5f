"""Webhooks for other systems: the notification as JSON, signed with HMAC-SHA256.

Headers: X-BDHVS-Timestamp (Unix seconds), X-BDHVS-Signature ("sha256=" + hex of
HMAC(secret, "<timestamp>.<body>")), Idempotency-Key (the same on a re-send).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from notifier.adapters.http_delivery import post
from notifier.domain.channel import OutgoingMessage, Receipt
from notifier.domain.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from notifier.settings import WebhookSettings


class WebhookChannel:
    name = "webhook"

    def __init__(self, settings: WebhookSettings, client: httpx.AsyncClient) -> None:
        if settings.secret is None:
            raise ValueError("the webhook channel needs WEBHOOK_SECRET")
        self._secret = settings.secret
        self._timeout = settings.timeout_seconds
        self._client = client

    @staticmethod
    def body(message: OutgoingMessage) -> bytes:
        document = {
            "notification_id": str(message.notification_id),
            "idempotency_key": message.idempotency_key,
            "kind": message.kind,
            "unit_code": message.unit_code,
            "subject": message.subject,
            "text": message.text,
            "created_at": message.created_at.astimezone(UTC).isoformat(),
        }
        return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()

    async def send(self, message: OutgoingMessage) -> Receipt:
        body = self.body(message)
        # Wall-clock time, not the demo clock: receivers compare it with their own clock.
        timestamp = int(datetime.now(UTC).timestamp())
        headers = {
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(self._secret.get_secret_value().encode(), timestamp, body),
            "Idempotency-Key": message.idempotency_key,
        }
        await post(self._client, message.recipient, body, headers, self._timeout)
        return Receipt()

    async def close(self) -> None:
        return None  # the HTTP client is shared and closed by the container
