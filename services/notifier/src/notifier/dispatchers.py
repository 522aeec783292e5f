"""The channels this notifier is configured for, each with its own dispatcher and rate limit."""

from __future__ import annotations

import math
import time

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bdhvs_shared.clock import Clock
from bdhvs_shared.worker import PollingWorker
from notifier.adapters.email import SmtpChannel
from notifier.adapters.sms_gateway import SmsGatewayChannel
from notifier.adapters.webhook import WebhookChannel
from notifier.dispatcher import DeliveryCounters, Dispatcher
from notifier.domain.channel import Channel
from notifier.domain.rate_limit import TokenBucket
from notifier.domain.retry import RetryPolicy
from notifier.settings import NotifierSettings


def channels(settings: NotifierSettings, client: httpx.AsyncClient) -> list[tuple[Channel, float]]:
    """(channel, sends per second): email always; SMS and webhooks only when configured."""
    out: list[tuple[Channel, float]] = [(SmtpChannel(settings), settings.email_rate_per_second)]
    if "sms" in settings.enabled_channels:
        out.append((SmsGatewayChannel(settings, client), settings.sms_rate_per_second))
    if "webhook" in settings.enabled_channels:
        out.append((WebhookChannel(settings, client), settings.webhook_rate_per_second))
    return out


def dispatchers(
    settings: NotifierSettings,
    sessions: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    clock: Clock,
    counters: DeliveryCounters,
    relay: PollingWorker | None,
) -> list[Dispatcher]:
    policy = RetryPolicy(settings.max_send_attempts, settings.retry_base_seconds, settings.retry_max_seconds)
    return [
        Dispatcher(
            sessions,
            channel,
            # A burst of one second's worth (at least one): a backlog drains at the rate, not at once.
            TokenBucket(rate, max(1, math.ceil(rate)), time.monotonic()),
            policy,
            clock,
            counters,
            settings.dispatch_poll_seconds,
            on_published=relay,
            quiet=settings.quiet_hours if channel.name == "sms" else None,
        )
        for channel, rate in channels(settings, client)
    ]
