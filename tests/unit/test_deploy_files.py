"""The container files parse and say what the services need (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from intake.settings import IntakeSettings
from kpi.settings import KpiSettings
from notifier.settings import NotifierSettings
from web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"intake": IntakeSettings, "kpi": KpiSettings, "notifier": NotifierSettings}
IMAGES: dict[str, Any] = {**SERVICES, "web": WebSettings}  # web: no database, no broker
OPTIONAL_CHANNELS = {
    "SMS_GATEWAY_URL",
    "SMS_API_KEY",
    "SMS_SECRET_KEY",
    "SMS_BRANDNAME",
    "SMS_KEEP_DIACRITICS",
    "WEBHOOK_SECRET",
    "ALERT_EMAIL_FROM",  # the sender of the system's alerts: a local default is harmless
}
# Required but not secret: compose-env writes a local value the operator replaces.
REQUIRED_SETTINGS = {"ALERT_EMAIL_TO"}


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))


def port_of(service: str) -> int:
    return int(IMAGES[service].model_fields["http_port"].default)


def test_compose_has_the_full_stack_started_in_order_of_health() -> None:
    services = compose()["services"]
    assert {
        "nats",
        "nats-exporter",
        "postgres",
        "migrate",
        "intake",
        "kpi",
        "notifier",
        "prometheus",
        "grafana",
        "mail",
    } <= set(services)
    assert services["nats"]["image"].endswith("-alpine")  # distroless images cannot run a shell health check
    assert "8222" in str(services["nats"]["healthcheck"]["test"])
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql") for v in services["postgres"]["volumes"])
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in SERVICES:
        depends = services[name]["depends_on"]
        assert depends["nats"]["condition"] == "service_healthy"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["build"]["dockerfile"] == f"deploy/docker/{name}.Dockerfile"
        assert services[name]["environment"]["HTTP_PORT"] == str(port_of(name))
        assert services["prometheus"]["depends_on"][name]["condition"] == "service_healthy"


def test_sms_and_webhooks_are_off_unless_the_environment_configures_them() -> None:
    from bdhvs_local.stack import notifier_channels

    assert notifier_channels({}) == ["email"]
    assert notifier_channels({"SMS_GATEWAY_URL": "https://sms.example/send"}) == ["email"]  # no key
    configured = {
        "SMS_GATEWAY_URL": "https://sms.example/send",
        "SMS_API_KEY": "k",
        "SMS_SECRET_KEY": "sk",
        "WEBHOOK_SECRET": "s",
    }
    assert notifier_channels(configured) == ["email", "sms", "webhook"]
    notifier = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"][
        "notifier"
    ]
    assert notifier["environment"]["SMS_API_KEY"] == "${SMS_API_KEY:-}"  # from the environment only
    assert notifier["environment"]["WEBHOOK_SECRET"] == "${WEBHOOK_SECRET:-}"


def test_each_service_connects_with_its_own_bus_user_and_database_role() -> None:
    services = compose()["services"]
    for name in SERVICES:
        env = services[name]["environment"]
        assert env["NATS_URL"].startswith(f"nats://{name}:${{NATS_{name.upper()}_PASSWORD:?")
        assert env["DATABASE_URL"].startswith(f"postgresql+asyncpg://{name}:${{{name.upper()}_DB_PASSWORD:?")
        migrate_url = services["migrate"]["environment"][f"{name.upper()}_DATABASE_URL"]
        assert migrate_url == env["DATABASE_URL"]
    nats_env = services["nats"]["environment"]
    accounts = (ROOT / "deploy/nats/accounts.conf").read_text(encoding="utf-8")
    for variable in re.findall(r"password: \$(\w+)", accounts):
        assert variable in nats_env, variable


def test_every_secret_is_required_and_make_compose_env_generates_each() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    references = re.findall(r"\$\{(\w+)([^}]*)\}", text)
    assert references
    for name, rest in references:
        if name in OPTIONAL_CHANNELS:  # SMS and webhooks are off unless the operator configures them
            assert rest.startswith(":-"), name
        else:
            assert rest.startswith(":?"), f"${{{name}}} must be required (${{{name}:?...}}), not defaulted"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"COMPOSE_SECRETS := (.*?)\n\n", makefile, re.S)
    assert block is not None
    required = {name for name, _ in references} - OPTIONAL_CHANNELS
    assert set(block.group(1).replace("\\", " ").split()) == required - REQUIRED_SETTINGS
    for name in REQUIRED_SETTINGS:
        assert f'"{name}=' in makefile.split("compose-env:", 1)[1].split("\n\n", 1)[0], name
    assert "compose-up:" in makefile and "compose-down:" in makefile


def test_every_file_compose_mounts_or_builds_exists() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: {source}"
        if "build" in service:
            assert (ROOT / service["build"]["dockerfile"]).exists(), name


def test_prometheus_scrapes_the_services_and_nats_and_loads_the_rules() -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text(encoding="utf-8"))
    targets = {t for job in config["scrape_configs"] for c in job["static_configs"] for t in c["targets"]}
    assert {f"{name}:{port_of(name)}" for name in SERVICES} <= targets
    assert "nats-exporter:7777" in targets
    assert list((ROOT / "deploy/prometheus/rules").glob("*.yml"))


def test_grafana_provisions_the_datasource_and_the_dashboards_folder() -> None:
    base = ROOT / "deploy/grafana/provisioning"
    datasource = yaml.safe_load((base / "datasources/prometheus.yaml").read_text(encoding="utf-8"))
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    provider = yaml.safe_load((base / "dashboards/bdhvs.yaml").read_text(encoding="utf-8"))
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    assert list((ROOT / "deploy/grafana/dashboards").glob("*.json"))


@pytest.mark.parametrize("service", sorted(IMAGES))
def test_each_image_is_multi_stage_non_root_with_only_its_service(service: str) -> None:
    dockerfile = (ROOT / f"deploy/docker/{service}.Dockerfile").read_text(encoding="utf-8")
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) >= 2
    assert f"uv sync --frozen --no-dev --package bdhvs-{service} " in dockerfile
    # Every member's pyproject (uv needs the workspace to read the lock), but only this service's code.
    code = [p for p in re.findall(r"^COPY (services/\S+) ", dockerfile, re.M) if not p.endswith(".toml")]
    assert code == [f"services/{service}"]
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert user and user[-1].split(":")[0] not in {"0", "root"}
    assert "HEALTHCHECK" in dockerfile and "/health/ready" in dockerfile
    assert f"EXPOSE {port_of(service)}" in dockerfile
    assert f'ENTRYPOINT ["python", "-m", "{service}"]' in dockerfile


def test_the_migration_image_runs_each_service_migrations_with_its_role() -> None:
    dockerfile = (ROOT / "deploy/docker/migrate.Dockerfile").read_text(encoding="utf-8")
    assert "USER 10001" in dockerfile
    script = (ROOT / "deploy/docker/migrate.sh").read_text(encoding="utf-8")
    for name in SERVICES:
        assert f'DATABASE_URL="${{{name.upper()}_DATABASE_URL:?' in script
        assert f"python -m {name} migrate" in script
