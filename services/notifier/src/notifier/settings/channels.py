"""The notifier's channel settings (SMTP, the SMS gateway, webhooks) and their frozen views."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings

from notifier.domain.quiet_hours import QuietHours

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
    keepalive_seconds: float  # an idle session is reused this long (0: a new one per message)
    messages_per_session: int


@dataclass(frozen=True)
class SmsSettings:
    gateway_url: str | None  # None: SMS off
    api_key: SecretStr | None
    secret_key: SecretStr | None  # eSMS authenticates ApiKey with SecretKey
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


def no_placeholder(value: SecretStr | None) -> SecretStr | None:
    if value is not None and value.get_secret_value().lower() in PLACEHOLDERS:
        raise ValueError("a placeholder, not a secret: set the real value in the environment")
    return value


KEEPALIVE = (
    "Keep an SMTP session open this long between messages and reuse it (RSET first); "
    "0 = a new session per message"
)


class ChannelSettings(BaseSettings):
    smtp_host: str = Field(description="SMTP server host")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP server port")
    smtp_username: str | None = Field(default=None, description="SMTP login, if the server wants one")
    smtp_password: SecretStr | None = Field(
        default=None, description="SMTP password (secret; placeholders refused)"
    )
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS")
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, description="SMTP timeout per message")
    smtp_keepalive_seconds: float = Field(default=30.0, ge=0, description=KEEPALIVE)
    smtp_messages_per_session: int = Field(
        default=100, ge=1, description="Messages sent on one SMTP session before it is closed (QUIT)"
    )
    mail_from: str = Field(
        default="BDHVS <bdhvs-noreply@localhost>",
        description="From header (set the province's real sender, e.g. "
        "'BDHVS Bắc Ninh <bdhvs-noreply@bacninh.gov.vn>'; the texts name the province from the catalogue)",
    )
    sms_gateway_url: HttpUrl | None = Field(
        default=None, description="Brandname-SMS gateway endpoint (JSON POST); unset = SMS off"
    )
    sms_api_key: SecretStr | None = Field(
        default=None, description="SMS gateway API key (secret; required with SMS_GATEWAY_URL)"
    )
    sms_secret_key: SecretStr | None = Field(
        default=None,
        description="SMS gateway secret key, sent with the API key (eSMS SecretKey; secret; "
        "required with SMS_GATEWAY_URL)",
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
    sms_quiet_hours: str = Field(
        default="21:00-07:00",
        description="Local hours when no SMS goes out (HH:MM-HH:MM; they wait for the end); empty = none",
    )
    sms_quiet_timezone: str = Field(default="Asia/Ho_Chi_Minh", description="Time zone of SMS_QUIET_HOURS")

    @field_validator(
        "sms_gateway_url", "sms_api_key", "sms_secret_key", "webhook_secret", "smtp_password", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # docker compose passes `${SMS_GATEWAY_URL:-}` as an empty string.
        return None if value == "" else value

    @field_validator("smtp_password", "sms_api_key", "sms_secret_key", "webhook_secret")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        return no_placeholder(value)

    @field_validator("sms_quiet_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("sms_brandname")
    @classmethod
    def _brandname(cls, value: str) -> str:
        if not BRANDNAME.fullmatch(value):
            raise ValueError("SMS_BRANDNAME: 1-11 ASCII letters or digits (no special characters)")
        return value

    @model_validator(mode="after")
    def _sms_settings(self) -> ChannelSettings:
        QuietHours.parse(self.sms_quiet_hours, self.sms_quiet_timezone)  # raises with the reason
        if self.sms_gateway_url is not None and (self.sms_api_key is None or self.sms_secret_key is None):
            raise ValueError("SMS_GATEWAY_URL is set but SMS_API_KEY or SMS_SECRET_KEY is not")
        return self

    @property
    def quiet_hours(self) -> QuietHours | None:
        return QuietHours.parse(self.sms_quiet_hours, self.sms_quiet_timezone)

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
            self.smtp_keepalive_seconds,
            self.smtp_messages_per_session,
        )

    @property
    def sms(self) -> SmsSettings:
        url = self.sms_gateway_url
        return SmsSettings(
            None if url is None else str(url),
            self.sms_api_key,
            self.sms_secret_key,
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
