"""Typed settings that fail fast: one base class, one subclass per service."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bdhvs_shared.db.engine import PoolSettings


class ServiceSettings(BaseSettings):
    """What every service needs: the broker, the database, its HTTP port, logging.

    Read from the environment (NATS_URL, DATABASE_URL, HTTP_HOST, HTTP_PORT, ...).
    A missing or malformed value stops the service at start, not at first use.
    """

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    nats_url: str = Field(description="NATS server URL, e.g. nats://127.0.0.1:4222")
    database_url: str = Field(description="SQLAlchemy URL, postgresql+asyncpg://user@host:port/db")
    http_host: str = Field(default="127.0.0.1", description="Address the HTTP API listens on.")
    http_port: int = Field(default=8000, ge=1, le=65535, description="Port of the HTTP API.")
    log_format: Literal["console", "json"] = Field(default="console", description="json in production.")
    log_level: str = Field(default="INFO", description="DEBUG also logs every consumed message.")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", description="Time zone of deadlines and dates.")
    deadline_working_day: bool = Field(
        default=True,
        description="A deadline whose last day is a weekend day or a public holiday moves to the end of the "
        "next working day (Civil Code 2015, art. 148(5)); the same in every service (false: never moves).",
    )
    event_type_prefix: str = Field(
        default="vn.bacninh",
        pattern=r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$",
        description="Reverse-DNS prefix of the events' CloudEvents `ce-type` "
        "(vn.bacninh.bdhvs.report.accepted.v1): the province that publishes, e.g. vn.hatinh.",
    )
    outbox_poll_seconds: float = Field(
        default=0.5, gt=0, description="Outbox relay poll when idle (it is also woken on each commit)."
    )
    catalogue_poll_seconds: float = Field(
        default=10.0, gt=0, description="How often kpi and notifier check for a newly published catalogue."
    )
    stream_replicas: int = Field(
        default=1, ge=1, le=5, description="Replicas of each JetStream stream (3 in a cluster)."
    )
    db_pool_size: int = Field(default=10, ge=1, description="PostgreSQL connections kept open.")
    db_max_overflow: int = Field(
        default=10, ge=0, description="Extra PostgreSQL connections opened under load, above DB_POOL_SIZE."
    )
    db_pool_timeout_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How long a request waits for a free PostgreSQL connection before it is answered "
        "503 service.overloaded with Retry-After (a background worker retries later).",
    )
    db_pool_pre_ping: bool = Field(
        default=False,
        description="Test each pooled PostgreSQL connection before use (three round trips per "
        "transaction). Off: a connection the server dropped fails one request or message with 503 / a "
        "retry, and the pool reconnects.",
    )
    clock_start: str | None = Field(
        default=None,
        description="Demo/testing only: run as if the current time were this ISO instant; "
        "file:PATH reads the instant from that file (make demo moves it).",
        validation_alias="BDHVS_CLOCK_START",
    )

    @property
    def db_pool(self) -> PoolSettings:
        return PoolSettings(
            self.db_pool_size, self.db_max_overflow, self.db_pool_timeout_seconds, self.db_pool_pre_ping
        )

    @field_validator("nats_url")
    @classmethod
    def _nats_scheme(cls, value: str) -> str:
        if not value.startswith(("nats://", "tls://")):
            raise ValueError("NATS_URL must start with nats:// or tls://")
        return value

    @field_validator("database_url")
    @classmethod
    def _asyncpg_url(cls, value: str) -> str:
        if value.startswith("postgresql://"):
            value = "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        if not value.startswith("postgresql+asyncpg://"):
            raise ValueError("DATABASE_URL must be a PostgreSQL URL (postgresql+asyncpg://...)")
        return value


class ReaderAuthSettings(BaseSettings):
    """For a service whose API is authorised with intake's tokens (kpi, notifier)."""

    auth_url: str | None = Field(
        default=None,
        description="Required to serve the API: base URL of intake, asked who a bearer token belongs "
        "to (GET {AUTH_URL}/api/v1/auth/whoami), e.g. http://intake:8000. Not needed by the CLI "
        "(migrate, rebuild, verify).",
    )
    auth_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How long an answer about a token is used without asking intake again: while intake "
        "answers, a revoked or expired token works at most this long.",
    )
    auth_stale_seconds: float = Field(
        default=120.0,
        ge=0,
        description="After AUTH_CACHE_SECONDS intake is asked again; if it is down or slow (over 1 s), the "
        "previous answer is still used up to this age (at least AUTH_CACHE_SECONDS). The longest a revoked "
        "or expired token can work while intake cannot answer; a refusal from intake counts at once.",
    )

    @field_validator("auth_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("AUTH_URL must be an http(s) URL")
        return value.rstrip("/")

    def required_auth_url(self) -> str:
        """The serving app calls this at start: no API without a way to check tokens."""
        if not self.auth_url:
            raise ValueError(
                "AUTH_URL is required to serve the API (intake's base URL, e.g. http://intake:8000)"
            )
        return self.auth_url


class ReportWindowSettings(BaseSettings):
    """When a period may be reported: read alike by intake (which refuses), kpi (which dead-letters) and
    the notifier (whose reminders wait for it)."""

    report_early_days: int = Field(
        default=0,
        ge=0,
        le=27,
        description="A period may be reported from this many days before its as-of day (the 14th of its "
        "last month; a week's Sunday), local time; earlier, intake refuses it (422 period.in_future) and "
        "kpi dead-letters a report dated more than a day past that bound; the notifier's reminders wait "
        "for it. Set it alike in the three services.",
    )


class ConsolidationDaySettings(BaseSettings):
    """The monthly consolidation's day: kpi makes the report on it, the notifier's ledger reminds the
    operators before it. One setting read by both, so they cannot disagree."""

    consolidation_day: int = Field(
        default=24,
        ge=1,
        le=28,
        description="Day of the month the province consolidates the monthly reports for the provincial "
        "chairman (due before the 25th): kpi makes the consolidated report, the notifier reminds the "
        "operators before it; off (weekend, holiday), it moves to the next working day.",
    )


class StreamBackupSettings(BaseSettings):
    """`python -m <service> streams backup|restore` (any service image; the CronJob streams-backup)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    backup_nats_url: str = Field(
        description="NATS URL of a user that reads every stream and, to restore, creates streams and "
        "publishes: the admin user (nats://admin:…@nats:4222)."
    )
    backup_dir: Path = Field(
        default=Path("/backups"), description="Where stream backups are written (streams-<UTC time>/)."
    )
    backup_keep: int = Field(
        default=14,
        ge=1,
        description="How many stream backups are kept; older ones are removed after a backup.",
    )
