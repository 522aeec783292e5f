"""The channels' settings fail fast: brandname rules, a gateway without a key, placeholders."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from pydantic import ValidationError

from notifier.bootstrap import delivery_policy
from notifier.domain.delivery import DeliveryPolicy
from notifier.domain.quiet_hours import QuietHours
from notifier.settings import NotifierSettings

BASE = {"nats_url": "nats://n:4222", "database_url": "postgresql+asyncpg://d/x", "smtp_host": "mail"}


def settings(**values: Any) -> NotifierSettings:
    return NotifierSettings(**{**BASE, **values})


def test_sms_and_webhooks_are_off_unless_configured() -> None:
    assert settings().enabled_channels == ("email",)
    on = settings(sms_gateway_url="https://sms.example/send", sms_api_key="k-123", webhook_secret="s-456")
    assert on.enabled_channels == ("email", "sms", "webhook")
    assert "k-123" not in repr(on)  # secrets are SecretStr
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
        sms_keep_diacritics=True,
        sms_quiet_hours="22:00-06:30",
    )
    policy = delivery_policy(on)
    assert policy == DeliveryPolicy(("email", "sms"), True, QuietHours(time(22), time(6, 30)))
    assert policy.quiet_for("sms") == policy.quiet_hours and policy.quiet_for("email") is None
    assert delivery_policy(settings(sms_quiet_hours="")) == DeliveryPolicy()  # the defaults: email only
