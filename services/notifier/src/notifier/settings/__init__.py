"""Notifier's settings: the common ones plus the channels (SMTP, SMS gateway, webhooks), the deadline
ledger, alerts and dispatch.

The fields are flat: each reads its own environment variable (SMTP_HOST, LEDGER_SEND_HOUR…, listed
in docs/settings.md). They are declared by group (`channels.py`, `ledger.py`, the rest here) and the
code reads them by group: `settings.smtp`, `.sms`, `.webhooks`, `.dispatch`, `.alerts`, `.ledger`,
`.consolidation` are frozen views of the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator

from bdhvs_shared.settings import ReaderAuthSettings, ReportWindowSettings, ServiceSettings
from notifier.domain.working_hours import WorkingHours
from notifier.settings.channels import (
    ChannelSettings,
    SmsSettings,
    SmtpSettings,
    WebhookSettings,
    no_placeholder,
)
from notifier.settings.ledger import ConsolidationSettings, LedgerGroupSettings, LedgerSettings

__all__ = [
    "AlertSettings",
    "ConsolidationSettings",
    "DispatchSettings",
    "LedgerSettings",
    "NotifierSettings",
    "SmsSettings",
    "SmtpSettings",
    "WebhookSettings",
]


@dataclass(frozen=True)
class DispatchSettings:
    poll_seconds: float
    senders: int
    max_send_attempts: int
    retry_base_seconds: float
    retry_max_seconds: float


@dataclass(frozen=True)
class AlertSettings:
    public_url: str
    group_wait_seconds: float
    repeat_days: float
    tick_seconds: float


SENDERS = (
    "Notifications each channel sends at once (each in its own transaction and connection), "
    "within the channel's rate"
)


class NotifierSettings(
    ServiceSettings, ReaderAuthSettings, ReportWindowSettings, ChannelSettings, LedgerGroupSettings
):
    http_port: int = Field(default=8002, ge=1, le=65535, description="Port of the HTTP API.")
    max_deliver: int = Field(
        default=8, ge=2, description="Deliveries of one message before it is dead-lettered."
    )
    ack_wait_seconds: float = Field(
        default=30.0, gt=0, description="Seconds before an unacknowledged message is redelivered."
    )
    dispatch_poll_seconds: float = Field(default=0.5, gt=0, description="Dispatcher poll when idle")
    dispatch_senders: int = Field(default=4, ge=1, le=8, description=SENDERS)
    max_send_attempts: int = Field(
        default=8, ge=1, description="Attempts before a notification is marked failed"
    )
    retry_base_seconds: float = Field(
        default=5.0, gt=0, description="Wait after the first failed attempt; doubles each time"
    )
    retry_max_seconds: float = Field(default=900.0, gt=0, description="Longest wait between attempts")
    notifier_ack_secret: SecretStr | None = Field(
        default=None,
        description="Key of the HMAC that signs the acknowledge links in alert emails (secret, at least "
        "16 characters; `serve` refuses to start without it)",
    )
    notifier_public_url: HttpUrl = Field(
        default=HttpUrl("http://127.0.0.1:8002"),
        description="This notifier's address as recipients reach it: the acknowledge links start with it",
    )
    notifier_ack_page_url: str = Field(
        default="",
        pattern=r"^(https?://.+)?$",
        description="The web service's confirm page for the acknowledge links (e.g. "
        "https://bdhvs.bacninh.gov.vn/xac-nhan-canh-bao): links go to <it>/<violation id>?token=…, where a "
        "person confirms with a POST. Empty: links go to this notifier's own confirm page. Opening a link "
        "acknowledges nothing either way.",
    )
    alert_group_wait_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Alerts to one recipient that fall due within this many seconds go out as one message",
    )
    alert_repeat_days: float = Field(
        default=7.0, gt=0, description="Days between repeats of an alert while its condition lasts"
    )
    alert_tick_seconds: float = Field(
        default=5.0, gt=0, description="How often the alert tick sends grouped alerts and repeats"
    )

    @field_validator("notifier_ack_secret", mode="before")
    @classmethod
    def _empty_is_unset_secret(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("notifier_ack_secret")
    @classmethod
    def _ack_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("NOTIFIER_ACK_SECRET: at least 16 characters (e.g. secrets.token_hex(24))")
        return no_placeholder(value)

    @model_validator(mode="after")
    def _working_hours(self) -> NotifierSettings:
        WorkingHours.parse(self.working_hours, self.timezone)  # raises with the reason
        return self

    @property
    def office_hours(self) -> WorkingHours | None:
        return WorkingHours.parse(self.working_hours, self.timezone)

    def ack_secret(self) -> bytes:
        """The acknowledge links' key; a notifier that sends alerts does not start without it."""
        if self.notifier_ack_secret is None:
            raise ValueError("NOTIFIER_ACK_SECRET is not set: alert emails carry links signed with it")
        return self.notifier_ack_secret.get_secret_value().encode()

    @property
    def dispatch(self) -> DispatchSettings:
        return DispatchSettings(
            self.dispatch_poll_seconds,
            self.dispatch_senders,
            self.max_send_attempts,
            self.retry_base_seconds,
            self.retry_max_seconds,
        )

    @property
    def alerts(self) -> AlertSettings:
        return AlertSettings(
            str(self.notifier_public_url),
            self.alert_group_wait_seconds,
            self.alert_repeat_days,
            self.alert_tick_seconds,
        )
