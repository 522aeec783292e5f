"""The container files parse and say what the services need (no Docker engine runs here)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_the_services_on_healthy_servers_with_required_secrets() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    compose = yaml.safe_load(text)
    services = compose["services"]
    assert {"nats", "postgres", "intake", "kpi", "notifier", "mail"} <= set(services)
    for name in ("nats", "postgres"):
        assert services[name]["healthcheck"]["test"], name
    assert services["nats"]["image"].endswith("-alpine")  # distroless images cannot run a shell health check
    for name in ("intake", "kpi", "notifier"):
        service = services[name]
        assert service["build"]["args"]["SERVICE"] == name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["nats"]["condition"] == "service_healthy"
        assert "${POSTGRES_PASSWORD:?" in service["environment"]["DATABASE_URL"]
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?" in text


def test_the_image_runs_as_a_non_root_user_with_a_health_check() -> None:
    dockerfile = (ROOT / "deploy/docker/Dockerfile").read_text(encoding="utf-8")
    assert "USER bdhvs" in dockerfile and "HEALTHCHECK" in dockerfile
    assert 'uv sync --frozen --no-dev --package "bdhvs-${SERVICE}"' in dockerfile


def test_sms_and_webhooks_are_off_unless_the_environment_configures_them() -> None:
    from bdhvs_local.stack import notifier_channels

    assert notifier_channels({}) == ["email"]
    assert notifier_channels({"SMS_GATEWAY_URL": "https://sms.example/send"}) == ["email"]  # no key
    configured = {"SMS_GATEWAY_URL": "https://sms.example/send", "SMS_API_KEY": "k", "WEBHOOK_SECRET": "s"}
    assert notifier_channels(configured) == ["email", "sms", "webhook"]
    notifier = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"][
        "notifier"
    ]
    assert notifier["environment"]["SMS_API_KEY"] == "${SMS_API_KEY:-}"  # from the environment only
    assert notifier["environment"]["WEBHOOK_SECRET"] == "${WEBHOOK_SECRET:-}"
