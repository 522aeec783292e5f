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
