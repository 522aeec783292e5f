"""Notifier's settings: the common ones plus SMTP."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from bdhvs_shared.settings import ServiceSettings


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
    dispatch_poll_seconds: float = Field(default=0.5, gt=0, description="Email dispatcher poll when idle")
    max_send_attempts: int = Field(
        default=5, ge=1, description="Attempts before a notification is marked failed"
    )

    @field_validator("smtp_password")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().lower() in {
            "changeme",
            "change-me",
            "password",
            "secret",
        }:
            raise ValueError("SMTP_PASSWORD is a placeholder: set the real secret in the environment")
        return value
