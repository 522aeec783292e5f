"""The web service's settings: where the three APIs are, its own secret and address."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bdhvs_shared.settings import ServiceSettings

_PLACEHOLDERS = {"changeme", "change-me", "secret", "password", "xxx", "todo"}


class WebSettings(BaseSettings):
    """No database and no broker: the web service owns no data; it calls intake, kpi and the notifier
    with the signed-in person's session token."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    http_host: str = ServiceSettings.model_fields["http_host"].default
    http_port: int = Field(default=8003, ge=1, le=65535, description="Port of the web pages.")
    log_format: Literal["console", "json"] = Field(default="console", description="json in production.")
    log_level: str = Field(default="INFO", description="DEBUG also logs every consumed message.")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", description="Time zone of deadlines and dates.")
    clock_start: str | None = Field(
        default=None,
        description="Demo/testing only: run as if the current time were this ISO instant.",
        validation_alias="BDHVS_CLOCK_START",
    )
    intake_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL of intake's API (sign-in, reports, accounts)."
    )
    kpi_url: str = Field(default="http://127.0.0.1:8001", description="Base URL of kpi's API.")
    notifier_url: str = Field(default="http://127.0.0.1:8002", description="Base URL of the notifier's API.")
    web_secret: SecretStr | None = Field(
        default=None,
        description="Key of the HMACs that sign the session cookie and the forms' CSRF tokens (secret, at "
        "least 16 characters; `serve` refuses to start without it).",
    )
    public_base_url: str = Field(
        default="",
        description="The pages' address as people reach them (e.g. https://bdhvs.bacninh.gov.vn): with "
        "https the cookies are Secure. Empty: http on this host.",
    )
    api_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long a page waits for an answer from intake, kpi or the notifier.",
    )
    catalogue_cache_seconds: float = Field(
        default=60.0,
        ge=0,
        le=3600,
        description="How long the catalogue intake publishes is used before asking intake again (a newly "
        "published form shows within this time).",
    )
    live_poll_seconds: float = Field(
        default=2.0, gt=0, le=60, description="How often an open dashboard asks whether its figures changed."
    )

    @field_validator("intake_url", "kpi_url", "notifier_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("web_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("web_secret")
    @classmethod
    def _real_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        text = value.get_secret_value()
        if text.lower() in _PLACEHOLDERS:
            raise ValueError("a placeholder, not a secret: set the real value in the environment")
        if len(text) < 16:
            raise ValueError("WEB_SECRET: at least 16 characters (e.g. secrets.token_hex(24))")
        return value

    @property
    def secure_cookies(self) -> bool:
        return self.public_base_url.startswith("https://")

    def secret(self) -> bytes:
        """The serving app calls this at start: no cookies or forms without a key."""
        if self.web_secret is None:
            raise ValueError("WEB_SECRET is required to serve the pages (e.g. secrets.token_hex(24))")
        return self.web_secret.get_secret_value().encode()
