"""Notifier's settings: the common ones plus SMTP."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from bdhvs_shared.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    http_port: int = Field(default=8002, ge=1, le=65535)
    max_deliver: int = Field(default=8, ge=2)
    ack_wait_seconds: float = Field(default=30.0, gt=0)
    smtp_host: str = Field(description="SMTP server host")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = Field(default="BDHVS Bắc Ninh <bdhvs-noreply@bacninh.example>")
    dispatch_poll_seconds: float = Field(default=0.5, gt=0)
    max_send_attempts: int = Field(default=5, ge=1)

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
