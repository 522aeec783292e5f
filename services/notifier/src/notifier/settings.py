"""Notifier's settings: the common ones plus the channels (SMTP, SMS gateway, webhooks)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator

from bdhvs_shared.settings import ServiceSettings

PLACEHOLDERS = {"changeme", "change-me", "password", "secret"}
# Registered sender names: at most 11 characters, letters and digits (a dot, dash or space inside).
BRANDNAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 .\-]{0,9}[A-Za-z0-9])?")


class NotifierSettings(ServiceSettings):
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

    @field_validator("sms_gateway_url", "sms_api_key", "webhook_secret", "smtp_password", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # docker compose passes `${SMS_GATEWAY_URL:-}` as an empty string.
        return None if value == "" else value

    @field_validator("smtp_password", "sms_api_key", "webhook_secret")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().lower() in PLACEHOLDERS:
            raise ValueError("a placeholder, not a secret: set the real value in the environment")
        return value

    @field_validator("sms_brandname")
    @classmethod
    def _brandname(cls, value: str) -> str:
        if not BRANDNAME.fullmatch(value):
            raise ValueError("SMS_BRANDNAME: 1-11 ASCII letters or digits (no special characters)")
        return value

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
