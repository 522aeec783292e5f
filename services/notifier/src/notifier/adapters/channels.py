"""The channels this notifier is configured for, each with its sending rate."""

from __future__ import annotations

from functools import partial

import httpx

from notifier.adapters.email import SmtpChannel
from notifier.adapters.sms_gateway import SmsGatewayChannel
from notifier.adapters.webhook import WebhookChannel
from notifier.domain.channel import Channel
from notifier.domain.sms_receipts import receipt_url
from notifier.settings import NotifierSettings


def channels(settings: NotifierSettings, client: httpx.AsyncClient) -> list[tuple[Channel, float]]:
    """(channel, sends per second): email always; SMS and webhooks only when configured."""
    smtp, sms, webhooks = settings.smtp, settings.sms, settings.webhooks
    out: list[tuple[Channel, float]] = [(SmtpChannel(smtp), smtp.rate_per_second)]
    if "sms" in settings.enabled_channels:
        secret = settings.notifier_ack_secret
        callback = (
            None
            if secret is None
            else partial(receipt_url, str(settings.notifier_public_url), secret.get_secret_value().encode())
        )
        out.append((SmsGatewayChannel(sms, client, callback), sms.rate_per_second))
    if "webhook" in settings.enabled_channels:
        out.append((WebhookChannel(webhooks, client), webhooks.rate_per_second))
    return out
