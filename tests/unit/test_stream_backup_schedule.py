"""Stream backups run from the service images on a schedule (issue 15, item 4): the Kubernetes CronJob
and the compose service run `python -m kpi streams backup` with an admin NATS URL into a volume at
BACKUP_DIR; the command exists in every service's CLI. The backup and restore themselves run in
tests/integration/test_streams_backup_command.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]


def cron_job() -> dict[str, Any]:
    docs = yaml.safe_load_all((ROOT / "deploy/k8s/streams-backup.yaml").read_text(encoding="utf-8"))
    [job] = [d for d in docs if d and d["kind"] == "CronJob"]
    return dict(job)


def test_a_kubernetes_cron_job_backs_the_streams_up_nightly_from_the_kpi_image() -> None:
    job = cron_job()
    assert job["spec"]["schedule"] == "30 1 * * *" and job["spec"]["timeZone"] == "Asia/Ho_Chi_Minh"
    assert job["spec"]["concurrencyPolicy"] == "Forbid"
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"].rsplit("/", 1)[-1].startswith("bdhvs-kpi:")
    assert container["args"] == ["streams", "backup"]
    env = {e["name"]: e for e in container["env"]}
    assert env["BACKUP_NATS_URL"]["value"].startswith("nats://admin:$(NATS_ADMIN_PASSWORD)@")
    assert env["NATS_ADMIN_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "bdhvs-nats", "key": "admin"}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "persistentVolumeClaim" in volumes[mounts[env["BACKUP_DIR"]["value"]]]
    kustomization = yaml.safe_load((ROOT / "deploy/k8s/kustomization.yaml").read_text(encoding="utf-8"))
    assert "streams-backup.yaml" in kustomization["resources"]


def test_compose_runs_the_same_command_daily_into_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    service = compose["services"]["streams-backup"]
    assert service["image"] == compose["services"]["kpi"]["image"]
    assert "python -m kpi streams backup" in service["command"][0]
    env = service["environment"]
    assert env["BACKUP_NATS_URL"].startswith("nats://admin:${NATS_ADMIN_PASSWORD:?")
    assert (
        f"stream-backups:{env['BACKUP_DIR']}" in service["volumes"] and "stream-backups" in compose["volumes"]
    )
    dockerfile = (ROOT / "deploy/docker/kpi.Dockerfile").read_text(encoding="utf-8")
    assert "chown 10001:10001 /backups" in dockerfile  # the image's user writes the fresh volume


@pytest.mark.parametrize("service", ["intake", "kpi", "notifier"])
def test_every_service_image_has_the_streams_commands(service: str) -> None:
    module = __import__(f"{service}.entrypoints.cli", fromlist=["app"])
    for command in ("backup", "restore"):
        shown = CliRunner().invoke(module.app, ["streams", command, "--help"])
        assert shown.exit_code == 0, shown.output
