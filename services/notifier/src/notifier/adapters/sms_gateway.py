"""SMS through a brandname-SMS gateway: JSON over HTTP(S), shaped like eSMS's REST API.

Request: {"ApiKey", "SecretKey", "Phone": "84…", "Content", "Brandname", "SmsType", "IsUnicode",
"RequestId", "CallbackUrl"}; the gateway answers {"CodeResult": "100", "SMSID": "…"} when it
accepted the message. RequestId is the notification id, so a gateway that de-duplicates by it
drops the one re-send a crash can cause. CallbackUrl (when the notifier can sign it) is where the
gateway reports delivery (domain/sms_receipts.py, POST /api/v1/sms/receipts/{id}).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from uuid import UUID

import httpx

from notifier.adapters.http_delivery import post
from notifier.domain.channel import OutgoingMessage, PermanentFailure, Receipt
from notifier.domain.sms_text import encoding_of
from notifier.settings import SmsSettings

ACCEPTED = "100"


class SmsGatewayChannel:
    name = "sms"

    def __init__(
        self,
        settings: SmsSettings,
        client: httpx.AsyncClient,
        callback: Callable[[UUID], str] | None = None,
    ) -> None:
        if settings.gateway_url is None or settings.api_key is None or settings.secret_key is None:
            raise ValueError("the SMS channel needs SMS_GATEWAY_URL, SMS_API_KEY and SMS_SECRET_KEY")
        self._url = settings.gateway_url
        self._key = settings.api_key
        self._secret = settings.secret_key
        self._callback = callback
        self._brandname = settings.brandname
        self._type = settings.type
        self._timeout = settings.timeout_seconds
        self._client = client

    def payload(self, message: OutgoingMessage) -> dict[str, object]:
        payload: dict[str, object] = {
            "ApiKey": self._key.get_secret_value(),
            "SecretKey": self._secret.get_secret_value(),
            "Phone": message.recipient,
            "Content": message.text,
            "Brandname": self._brandname,
            "SmsType": self._type,
            "IsUnicode": 1 if encoding_of(message.text) == "ucs2" else 0,
            "RequestId": str(message.notification_id),
        }
        if self._callback is not None:
            payload["CallbackUrl"] = self._callback(message.notification_id)
        return payload

    async def send(self, message: OutgoingMessage) -> Receipt:
        body = json.dumps(self.payload(message), ensure_ascii=False).encode()
        response = await post(self._client, self._url, body, {}, self._timeout)
        try:
            answer = response.json()
        except ValueError as exc:
            raise PermanentFailure(f"gateway answer is not JSON: {response.text[:200]}") from exc
        code = str(answer.get("CodeResult", ""))
        if code != ACCEPTED:
            raise PermanentFailure(f"gateway refused: CodeResult {code} {answer.get('ErrorMessage', '')}")
        return Receipt(provider_message_id=str(answer.get("SMSID") or "") or None)

    async def close(self) -> None:
        return None  # the HTTP client is shared and closed by the container
