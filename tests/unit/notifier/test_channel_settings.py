"""The channels' settings fail fast: brandname rules, a gateway without a key, placeholders."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from pydantic import ValidationError

from notifier.bootstrap import delivery_policy
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.quiet_hours import QuietHours
from notifier.domain.working_hours import WorkingHours
from notifier.settings import NotifierSettings

BASE = {"nats_url": "nats://n:4222", "database_url": "postgresql+asyncpg://d/x", "smtp_host": "mail"}


def settings(**values: Any) -> NotifierSettings:
    return NotifierSettings(**{**BASE, **values})


def test_sms_and_webhooks_are_off_unless_configured() -> None:
    assert settings().enabled_channels == ("email",)
    on = settings(
        sms_gateway_url="https://sms.example/send",
        sms_api_key="k-123",
        sms_secret_key="sk-789",
        webhook_secret="s-456",
    )
    assert on.enabled_channels == ("email", "sms", "webhook")
    assert "k-123" not in repr(on) and "sk-789" not in repr(on)  # secrets are SecretStr
    assert settings(sms_gateway_url="", webhook_secret="").enabled_channels == ("email",)


@pytest.mark.parametrize("name", ["BDHVS", "BACNINH-GOV", "SoKHCN 24", "A"])
def test_valid_brandnames(name: str) -> None:
    assert settings(sms_brandname=name).sms_brandname == name


@pytest.mark.parametrize("name", ["BACNINH-GOV1", "Sở KHCN", "BDHVS!", "", "-BDHVS"])
def test_brandnames_longer_than_11_or_with_special_characters_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="SMS_BRANDNAME"):
        settings(sms_brandname=name)


def test_a_gateway_without_a_key_or_with_a_placeholder_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="SMS_API_KEY"):
        settings(sms_gateway_url="https://sms.example/send")
    with pytest.raises(ValidationError, match="SMS_SECRET_KEY"):  # eSMS authenticates with both
        settings(sms_gateway_url="https://sms.example/send", sms_api_key="k-123")
    with pytest.raises(ValidationError, match="placeholder"):
        settings(webhook_secret="changeme")


def test_alert_settings_fail_fast() -> None:
    assert settings().quiet_hours is not None and settings(sms_quiet_hours="").quiet_hours is None
    for bad in ({"sms_quiet_hours": "21h-7h"}, {"sms_quiet_timezone": "Asia/Nowhere"}):
        with pytest.raises(ValidationError):
            settings(**bad)
    for weak in ("short", "changeme"):
        with pytest.raises(ValidationError):
            settings(notifier_ack_secret=weak)
    with pytest.raises(ValueError, match="NOTIFIER_ACK_SECRET"):
        settings().ack_secret()  # serving refuses to start without it
    assert settings(notifier_ack_secret="a-real-secret-of-length").ack_secret() == b"a-real-secret-of-length"


def test_one_delivery_policy_carries_the_channels_diacritics_and_quiet_hours() -> None:
    on = settings(
        sms_gateway_url="https://sms.example/send",
        sms_api_key="k-123",
        sms_secret_key="sk-789",
        sms_keep_diacritics=True,
        sms_quiet_hours="22:00-06:30",
    )
    policy = delivery_policy(on)
    office = WorkingHours(time(7, 30), time(17))
    assert policy == DeliveryPolicy(
        ("email", "sms"), True, QuietHours(time(22), time(6, 30)), True, office, alerts_any_time=False
    )
    assert policy.quiet_for("sms") == policy.quiet_hours and policy.quiet_for("email") is None
    # the defaults: email only, working days 07:30–17:00
    assert delivery_policy(settings(sms_quiet_hours="")) == DeliveryPolicy(
        working_days_only=True, working_hours=office
    )
    relaxed = delivery_policy(settings(working_hours="", alerts_outside_working_hours=True))
    assert relaxed.working_hours is None and relaxed.alerts_any_time
    with pytest.raises(ValidationError, match="working hours"):
        settings(working_hours="17:00-07:30")


def test_the_groups_read_the_same_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    environment = {
        "NATS_URL": "nats://n:4222",
        "DATABASE_URL": "postgresql+asyncpg://d/x",
        "SMTP_HOST": "mail.example",
        "SMTP_PORT": "2525",
        "MAIL_FROM": "BDHVS <a@b.example>",
        "EMAIL_RATE_PER_SECOND": "3",
        "SMS_GATEWAY_URL": "https://sms.example/send",
        "SMS_API_KEY": "k-123",
        "SMS_SECRET_KEY": "sk-789",
        "SMS_QUIET_HOURS": "",
        "WEBHOOK_SECRET": "s-456",
        "WEBHOOK_RATE_PER_SECOND": "2",
        "RETRY_MAX_SECONDS": "60",
        "NOTIFIER_PUBLIC_URL": "https://notifier.example/",
        "ALERT_REPEAT_DAYS": "3",
        "LEDGER_ENABLED": "false",
        "LEDGER_REMINDER_DAYS": "5,2",
        "DEADLINE_INCLUSIVE": "true",
        "CONSOLIDATION_DAY": "23",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    read = NotifierSettings()  # type: ignore[call-arg]  # from the environment only
    assert (read.smtp.host, read.smtp.port, read.smtp.mail_from) == (
        "mail.example",
        2525,
        "BDHVS <a@b.example>",
    )
    assert read.smtp.rate_per_second == 3
    assert read.sms.gateway_url == "https://sms.example/send" and read.sms.quiet_hours is None
    assert read.sms.api_key is not None and read.sms.api_key.get_secret_value() == "k-123"
    assert read.webhooks.secret is not None and read.webhooks.rate_per_second == 2
    assert read.dispatch.retry_max_seconds == 60
    assert (read.alerts.public_url, read.alerts.repeat_days) == ("https://notifier.example/", 3)
    assert read.ledger.enabled is False and read.ledger.reminder_days == (5, 2)
    assert read.ledger.deadline_inclusive is True
    assert (read.consolidation.day, read.consolidation.days_before, read.consolidation.hour) == (23, 2, 8)
