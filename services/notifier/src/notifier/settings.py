"""Notifier's settings: the common ones plus the channels (SMTP, SMS gateway, webhooks).

The fields are flat: each reads its own environment variable (SMTP_HOST, LEDGER_SEND_HOUR…, listed
in docs/settings.md). The code reads them by group: `settings.smtp`, `.sms`, `.webhooks`, `.dispatch`,
`.alerts`, `.ledger`, `.consolidation` are frozen views of the same values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from bdhvs_shared.settings import ReaderAuthSettings, ServiceSettings
from notifier.domain.quiet_hours import QuietHours
from notifier.domain.working_hours import WorkingHours

PLACEHOLDERS = {"changeme", "change-me", "password", "secret"}
# Registered sender names: at most 11 characters, letters and digits (a dot, dash or space inside).
BRANDNAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 .\-]{0,9}[A-Za-z0-9])?")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: SecretStr | None
    starttls: bool
    timeout_seconds: float
    mail_from: str
    rate_per_second: float


@dataclass(frozen=True)
class SmsSettings:
    gateway_url: str | None  # None: SMS off
    api_key: SecretStr | None
    brandname: str
    type: int
    keep_diacritics: bool
    timeout_seconds: float
    rate_per_second: float
    quiet_hours: QuietHours | None


@dataclass(frozen=True)
class WebhookSettings:
    secret: SecretStr | None  # None: webhooks off
    timeout_seconds: float
    rate_per_second: float


@dataclass(frozen=True)
class DispatchSettings:
    poll_seconds: float
    max_send_attempts: int
    retry_base_seconds: float
    retry_max_seconds: float


@dataclass(frozen=True)
class AlertSettings:
    public_url: str
    group_wait_seconds: float
    repeat_days: float
    tick_seconds: float
    province_unit_code: str


@dataclass(frozen=True)
class LedgerSettings:
    enabled: bool
    tick_seconds: float
    forms: tuple[str, ...]
    reminder_days: tuple[int, ...]
    escalation_days: int
    send_hour: int
    catch_up_days: int
    deadline_inclusive: bool
    go_live: date | None = None


@dataclass(frozen=True)
class ConsolidationSettings:
    day: int
    days_before: int
    hour: int


class NotifierSettings(ServiceSettings, ReaderAuthSettings):
    http_port: int = Field(default=8002, ge=1, le=65535, description="Port of the HTTP API.")
    max_deliver: int = Field(
        default=8, ge=2, description="Deliveries of one message before it is dead-lettered."
    )
    ack_wait_seconds: float = Field(
        default=30.0, gt=0, description="Seconds before an unacknowledged message is redelivered."
    )
    smtp_host: str = Field(description="SMTP server host")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP server port")
    smtp_username: str | None = Field(default=None, description="SMTP login, if the server wants one")
    smtp_password: SecretStr | None = Field(
        default=None, description="SMTP password (secret; placeholders refused)"
    )
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS")
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, description="SMTP timeout per message")
    mail_from: str = Field(
        default="BDHVS Bắc Ninh <bdhvs-noreply@bacninh.example>", description="From header"
    )
    sms_gateway_url: HttpUrl | None = Field(
        default=None, description="Brandname-SMS gateway endpoint (JSON POST); unset = SMS off"
    )
    sms_api_key: SecretStr | None = Field(
        default=None, description="SMS gateway API key (secret; required with SMS_GATEWAY_URL)"
    )
    sms_brandname: str = Field(default="BDHVS", description="Registered sender name, ≤ 11 characters")
    sms_type: int = Field(default=2, ge=1, description="Gateway message type (2 = customer care, CSKH)")
    sms_keep_diacritics: bool = Field(
        default=False, description="Send SMS with Vietnamese diacritics (UCS-2: 70 characters a part)"
    )
    sms_timeout_seconds: float = Field(default=10.0, gt=0, description="SMS gateway timeout per request")
    webhook_secret: SecretStr | None = Field(
        default=None, description="Key of the webhooks' HMAC-SHA256 signature (secret); unset = off"
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="Webhook timeout per request")
    email_rate_per_second: float = Field(default=10.0, gt=0, description="Emails sent per second at most")
    sms_rate_per_second: float = Field(default=1.0, gt=0, description="SMS sent per second at most")
    webhook_rate_per_second: float = Field(default=5.0, gt=0, description="Webhooks sent per second at most")
    dispatch_poll_seconds: float = Field(default=0.5, gt=0, description="Dispatcher poll when idle")
    max_send_attempts: int = Field(
        default=8, ge=1, description="Attempts before a notification is marked failed"
    )
    retry_base_seconds: float = Field(
        default=5.0, gt=0, description="Wait after the first failed attempt; doubles each time"
    )
    retry_max_seconds: float = Field(default=900.0, gt=0, description="Longest wait between attempts")
    deadline_inclusive: bool = Field(
        default=False,
        description="As intake reads deadlines: false 'before the 20th' (20th 00:00), true 'by the 20th'.",
    )
    ledger_enabled: bool = Field(
        default=True,
        description="Send the deadline ledger's reminders, notices and summaries from this instance "
        "(reports still cancel ledger items when false)",
    )
    ledger_tick_seconds: float = Field(
        default=60.0, gt=0, description="How often the deadline ledger looks for what fell due"
    )
    ledger_forms: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Commune forms the deadline ledger chases, comma-separated; empty = every commune form",
    )
    ledger_reminder_days: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [3, 1], description="Reminders this many days before a deadline"
    )
    ledger_escalation_days: int = Field(
        default=2, ge=1, description="Days after a deadline when a missing report goes to the chairman"
    )
    ledger_send_hour: int = Field(
        default=8, ge=0, le=23, description="Local hour at which reminders, notices and escalations go out"
    )
    ledger_catch_up_days: int = Field(
        default=7, ge=0, description="Ledger items older than this when first planned are not created"
    )
    ledger_go_live: date | None = Field(
        default=None,
        description="The ledger chases only periods whose deadline comes after this day (YYYY-MM-DD, 00:00 "
        "local); unset = after the ledger's first start, stored in the database on that start",
    )
    ledger_consolidation_day: int = Field(
        default=25, ge=1, le=28, description="Day of the month the province consolidates the monthly reports"
    )
    ledger_consolidation_days_before: int = Field(
        default=2,
        ge=0,
        le=27,
        description="Days before the consolidation day when the operators are reminded of missing reports",
    )
    ledger_consolidation_hour: int = Field(
        default=8, ge=0, le=23, description="Local hour of the operators' consolidation reminder"
    )

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
    province_unit_code: str = Field(
        default="24",
        pattern=r"^[0-9]{2}$",
        description="The province's unit: its open violation mutes its units' alerts of the same "
        "indicator and status",
    )
    sms_quiet_hours: str = Field(
        default="21:00-07:00",
        description="Local hours when no SMS goes out (HH:MM-HH:MM; they wait for the end); empty = none",
    )
    sms_quiet_timezone: str = Field(default="Asia/Ho_Chi_Minh", description="Time zone of SMS_QUIET_HOURS")
    working_hours: str = Field(
        default="07:30-17:00",
        description="Local hours of a working day when notifications go out (HH:MM-HH:MM); nothing goes "
        "out on a day off (weekend, public holiday, the catalogue's days off); empty = any hour of one",
    )
    alerts_outside_working_hours: bool = Field(
        default=False,
        description="Below-target alerts go out at once, whatever the day and hour (deadline mail waits)",
    )

    @field_validator(
        "sms_gateway_url",
        "sms_api_key",
        "webhook_secret",
        "smtp_password",
        "notifier_ack_secret",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # docker compose passes `${SMS_GATEWAY_URL:-}` as an empty string.
        return None if value == "" else value

    @field_validator("ledger_forms", "ledger_reminder_days", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        # LEDGER_REMINDER_DAYS=3,1 as well as the JSON form [3, 1].
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("ledger_reminder_days")
    @classmethod
    def _reminder_days(cls, value: list[int]) -> list[int]:
        if any(day < 1 for day in value) or len(set(value)) != len(value):
            raise ValueError("LEDGER_REMINDER_DAYS: distinct whole numbers of days ≥ 1, e.g. 3,1")
        return value

    @field_validator("smtp_password", "sms_api_key", "webhook_secret", "notifier_ack_secret")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().lower() in PLACEHOLDERS:
            raise ValueError("a placeholder, not a secret: set the real value in the environment")
        return value

    @field_validator("notifier_ack_secret")
    @classmethod
    def _ack_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("NOTIFIER_ACK_SECRET: at least 16 characters (e.g. secrets.token_hex(24))")
        return value

    @field_validator("sms_quiet_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _quiet_hours(self) -> NotifierSettings:
        QuietHours.parse(self.sms_quiet_hours, self.sms_quiet_timezone)  # raises with the reason
        WorkingHours.parse(self.working_hours, self.timezone)
        return self

    @property
    def office_hours(self) -> WorkingHours | None:
        return WorkingHours.parse(self.working_hours, self.timezone)

    @property
    def quiet_hours(self) -> QuietHours | None:
        return QuietHours.parse(self.sms_quiet_hours, self.sms_quiet_timezone)

    def ack_secret(self) -> bytes:
        """The acknowledge links' key; a notifier that sends alerts does not start without it."""
        if self.notifier_ack_secret is None:
            raise ValueError("NOTIFIER_ACK_SECRET is not set: alert emails carry links signed with it")
        return self.notifier_ack_secret.get_secret_value().encode()

    @field_validator("sms_brandname")
    @classmethod
    def _brandname(cls, value: str) -> str:
        if not BRANDNAME.fullmatch(value):
            raise ValueError("SMS_BRANDNAME: 1-11 ASCII letters or digits (no special characters)")
        return value

    @model_validator(mode="after")
    def _consolidation_in_month(self) -> NotifierSettings:
        if self.ledger_consolidation_days_before >= self.ledger_consolidation_day:
            raise ValueError("LEDGER_CONSOLIDATION_DAYS_BEFORE must be less than LEDGER_CONSOLIDATION_DAY")
        return self

    @model_validator(mode="after")
    def _sms_needs_a_key(self) -> NotifierSettings:
        if self.sms_gateway_url is not None and self.sms_api_key is None:
            raise ValueError("SMS_GATEWAY_URL is set but SMS_API_KEY is not")
        return self

    @property
    def enabled_channels(self) -> tuple[str, ...]:
        return (
            "email",
            *(("sms",) if self.sms_gateway_url is not None else ()),
            *(("webhook",) if self.webhook_secret is not None else ()),
        )

    @property
    def smtp(self) -> SmtpSettings:
        return SmtpSettings(
            self.smtp_host,
            self.smtp_port,
            self.smtp_username,
            self.smtp_password,
            self.smtp_starttls,
            self.smtp_timeout_seconds,
            self.mail_from,
            self.email_rate_per_second,
        )

    @property
    def sms(self) -> SmsSettings:
        url = self.sms_gateway_url
        return SmsSettings(
            None if url is None else str(url),
            self.sms_api_key,
            self.sms_brandname,
            self.sms_type,
            self.sms_keep_diacritics,
            self.sms_timeout_seconds,
            self.sms_rate_per_second,
            self.quiet_hours,
        )

    @property
    def webhooks(self) -> WebhookSettings:
        return WebhookSettings(
            self.webhook_secret, self.webhook_timeout_seconds, self.webhook_rate_per_second
        )

    @property
    def dispatch(self) -> DispatchSettings:
        return DispatchSettings(
            self.dispatch_poll_seconds,
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
            self.province_unit_code,
        )

    @property
    def ledger(self) -> LedgerSettings:
        return LedgerSettings(
            self.ledger_enabled,
            self.ledger_tick_seconds,
            tuple(self.ledger_forms),
            tuple(self.ledger_reminder_days),
            self.ledger_escalation_days,
            self.ledger_send_hour,
            self.ledger_catch_up_days,
            self.deadline_inclusive,
            self.ledger_go_live,
        )

    @property
    def consolidation(self) -> ConsolidationSettings:
        return ConsolidationSettings(
            self.ledger_consolidation_day,
            self.ledger_consolidation_days_before,
            self.ledger_consolidation_hour,
        )
