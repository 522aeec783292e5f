"""The Kubernetes manifests parse and hold what running the services needs (no cluster here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from intake.settings import IntakeSettings
from kpi.settings import KpiSettings
from notifier.settings import NotifierSettings

K8S = Path(__file__).resolve().parents[2] / "deploy/k8s"
SERVICES = {"intake": IntakeSettings, "kpi": KpiSettings, "notifier": NotifierSettings}
# Names of settings and of the variables the manifests build the URLs from.
SECRET_NAMES = re.compile(r"PASSWORD|SECRET|TOKEN|KEY", re.I)


def manifests() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name in {"kustomization.yaml", "nats-values.yaml"}:
            continue
        docs.extend(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d)
    return docs


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in manifests() if d["kind"] == kind}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    [only] = deployment["spec"]["template"]["spec"]["containers"]
    return dict(only)


def test_every_document_has_a_kind_an_api_version_and_a_name() -> None:
    for doc in manifests():
        assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"], doc


def test_kustomization_lists_existing_files_and_pins_every_service_image() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    for resource in kustomization["resources"]:
        assert (K8S / resource).exists(), resource
    pinned = {image["name"].rsplit("/", 1)[-1] for image in kustomization["images"]}
    assert pinned == {f"bdhvs-{name}" for name in SERVICES} | {"bdhvs-web"}


def test_each_service_has_a_deployment_probed_on_its_health_routes() -> None:
    deployments = of_kind("Deployment")
    assert set(deployments) == set(SERVICES) | {"web"}  # web: test_the_web_service_needs_no_bus_or_database
    for name, settings in SERVICES.items():
        spec = deployments[name]["spec"]["template"]["spec"]
        c = container(deployments[name])
        port = settings.model_fields["http_port"].default
        assert c["image"].split(":")[0].endswith(f"/bdhvs-{name}")
        assert c["ports"] == [{"name": "http", "containerPort": port}]
        env = {e["name"]: e for e in c["env"]}
        assert env["HTTP_PORT"]["value"] == str(port)
        assert c["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
        assert c["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
        assert c["resources"]["requests"]["cpu"] and c["resources"]["requests"]["memory"]
        assert c["resources"]["limits"]["memory"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        # Each service on its own bus user and database role.
        assert env["NATS_URL"]["value"].startswith(f"nats://{name}:$(NATS_PASSWORD)@")
        assert env["DATABASE_URL"]["value"].startswith(f"postgresql+asyncpg://{name}:$(DB_PASSWORD)@")


def test_the_web_service_needs_no_bus_or_database_only_the_apis_and_its_secret() -> None:
    from web.settings import WebSettings

    web = of_kind("Deployment")["web"]
    c = container(web)
    env = {e["name"]: e for e in c["env"]}
    assert c["ports"] == [{"name": "http", "containerPort": WebSettings.model_fields["http_port"].default}]
    assert {"INTAKE_URL", "KPI_URL", "NOTIFIER_URL", "WEB_SECRET"} <= set(env)
    assert "NATS_URL" not in env and "DATABASE_URL" not in env
    assert env["WEB_SECRET"]["valueFrom"]["secretKeyRef"]["name"] == "bdhvs-web"
    assert c["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    assert of_kind("PodDisruptionBudget")["web"] and of_kind("PodMonitor")["web"]


def test_the_health_routes_probed_are_the_ones_the_services_serve() -> None:
    from prometheus_client import CollectorRegistry

    from bdhvs_shared.http import health_router

    paths = {route.path for route in health_router({}, CollectorRegistry()).routes}  # type: ignore[attr-defined]
    assert {"/health/live", "/health/ready", "/metrics"} <= paths


def test_secrets_are_referenced_never_written_inline() -> None:
    assert "Secret" not in {d["kind"] for d in manifests()}
    for doc in manifests():
        for c in _containers(doc):
            for variable in c.get("env", []):
                if SECRET_NAMES.search(variable["name"]):
                    assert "value" not in variable, f"{doc['metadata']['name']}: {variable['name']}"
                    assert variable["valueFrom"]["secretKeyRef"]["name"]
    values = yaml.safe_load((K8S / "nats-values.yaml").read_text(encoding="utf-8"))
    for name, variable in values["container"]["env"].items():
        assert variable["valueFrom"]["secretKeyRef"]["name"] == "bdhvs-nats", name


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {})
    template = spec.get("template", {}).get("spec", {})
    return list(template.get("containers", []))


def test_streams_are_replicated_three_times_on_a_three_node_jetstream_cluster() -> None:
    [config] = of_kind("ConfigMap").values()
    assert config["data"]["STREAM_REPLICAS"] == "3"
    assert "stream_replicas" in IntakeSettings.model_fields  # the setting the value feeds
    values = yaml.safe_load((K8S / "nats-values.yaml").read_text(encoding="utf-8"))
    assert values["config"]["cluster"] == {"enabled": True, "replicas": 3}
    assert values["config"]["jetstream"]["enabled"] is True
    assert values["promExporter"]["enabled"] and values["promExporter"]["podMonitor"]["enabled"]
    assert values["config"]["merge"]["00$include"] == "accounts.conf"


def test_each_service_has_a_disruption_budget_an_autoscaler_and_a_pod_monitor() -> None:
    budgets, scalers, monitors = (
        of_kind("PodDisruptionBudget"),
        of_kind("HorizontalPodAutoscaler"),
        of_kind("PodMonitor"),
    )
    for name in SERVICES:
        assert budgets[name]["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
        target = scalers[name]["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", name)
        assert scalers[name]["spec"]["minReplicas"] >= 2  # the budget's minAvailable 1 leaves room to drain
        endpoint = monitors[name]["spec"]["podMetricsEndpoints"][0]
        assert (endpoint["port"], endpoint["path"]) == ("http", "/metrics")


def test_postgres_is_a_three_instance_cluster_with_scheduled_backups_and_a_role_per_service() -> None:
    [cluster] = of_kind("Cluster").values()
    assert cluster["spec"]["instances"] == 3
    assert cluster["spec"]["backup"]["barmanObjectStore"]["destinationPath"]
    [backup] = of_kind("ScheduledBackup").values()
    assert backup["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    assert len(backup["spec"]["schedule"].split()) == 6
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    assert set(roles) == set(SERVICES)
    sql = cluster["spec"]["bootstrap"]["initdb"]["postInitApplicationSQL"]
    for name in SERVICES:
        assert roles[name]["passwordSecret"]["name"] == f"bdhvs-db-{name}"
        assert f"CREATE SCHEMA {name} AUTHORIZATION {name}" in sql


def test_migrations_run_as_a_job_with_each_service_role() -> None:
    [job] = of_kind("Job").values()
    c = _containers(job)[0]
    assert c["image"].split(":")[0].endswith("/bdhvs-migrate")
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    env = {e["name"]: e for e in c["env"]}
    for name in SERVICES:
        url = env[f"{name.upper()}_DATABASE_URL"]["value"]
        assert url.startswith(f"postgresql+asyncpg://{name}:$({name.upper()}_DB_PASSWORD)@")
