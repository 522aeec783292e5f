"""SMS through a brandname-SMS gateway: JSON over HTTP(S), shaped like eSMS's REST API.

Request: {"ApiKey", "Phone": "84…", "Content", "Brandname", "SmsType", "IsUnicode",
"RequestId"}; the gateway answers {"CodeResult": "100", "SMSID": "…"} when it accepted
the message. RequestId is the notification id, so a gateway that de-duplicates by it
drops the one re-send a crash can cause.
"""

from __future__ import annotations

import json

import httpx

from notifier.adapters.http_delivery import post
from notifier.domain.channel import OutgoingMessage, PermanentFailure, Receipt
from notifier.domain.sms_text import encoding_of
from notifier.settings import SmsSettings

ACCEPTED = "100"


class SmsGatewayChannel:
    name = "sms"

    def __init__(self, settings: SmsSettings, client: httpx.AsyncClient) -> None:
        if settings.gateway_url is None or settings.api_key is None:
            raise ValueError("the SMS channel needs SMS_GATEWAY_URL and SMS_API_KEY")
        self._url = settings.gateway_url
        self._key = settings.api_key
        self._brandname = settings.brandname
        self._type = settings.type
        self._timeout = settings.timeout_seconds
        self._client = client

    def payload(self, message: OutgoingMessage) -> dict[str, object]:
        return {
            "ApiKey": self._key.get_secret_value(),
            "Phone": message.recipient,
            "Content": message.text,
            "Brandname": self._brandname,
            "SmsType": self._type,
            "IsUnicode": 1 if encoding_of(message.text) == "ucs2" else 0,
            "RequestId": str(message.notification_id),
        }

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
