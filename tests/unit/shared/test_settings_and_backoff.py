"""Settings fail fast; retries back off."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bdhvs_shared.nats.reliable import backoff_seconds, dlq_subject
from bdhvs_shared.settings import ServiceSettings
from notifier.settings import NotifierSettings


def test_settings_reject_missing_and_malformed_urls() -> None:
    with pytest.raises(ValidationError):
        ServiceSettings()  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="NATS_URL"):
        ServiceSettings(nats_url="http://x", database_url="postgresql://x/y")
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        ServiceSettings(nats_url="nats://x:4222", database_url="mysql://x/y")


def test_a_plain_postgresql_url_gets_the_asyncpg_driver() -> None:
    settings = ServiceSettings(nats_url="nats://x:4222", database_url="postgresql://u@h:5/db")
    assert settings.database_url == "postgresql+asyncpg://u@h:5/db"


def test_a_placeholder_smtp_password_is_refused() -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        NotifierSettings(
            nats_url="nats://x:4222", database_url="postgresql://x/y", smtp_host="h", smtp_password="changeme"
        )


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert backoff_seconds(50) == 30.0


def test_dead_letters_keep_the_consumer_and_original_subject() -> None:
    assert dlq_subject("kpi-reports", "bdhvs.report.accepted.09313") == (
        "bdhvs.dlq.kpi-reports.bdhvs.report.accepted.09313"
    )
