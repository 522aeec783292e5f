"""Alerts about the system reach someone (issue 15, item 4), checked without a cluster or promtool:
every rule file parses with the shape Prometheus wants, reads only metrics that exist (the services'
own /metrics, the NATS exporter's, CloudNativePG's), links to its runbook section; compose's
Prometheus sends to an Alertmanager that mails through the notifier's SMTP server; on Kubernetes the
PrometheusRule holds exactly the same groups, an AlertmanagerConfig mails through config.yaml's SMTP
relay, and every PodMonitor and rule carries the label a default kube-prometheus-stack selects."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_monitoring import _anchor, exported, used_in

ROOT = Path(__file__).resolve().parents[2]
RULE_FILES = sorted((ROOT / "deploy/prometheus/rules").glob("*.yml"))
K8S = ROOT / "deploy/k8s"
SELECTED = {"release": "kube-prometheus-stack"}
# prometheus-nats-exporter 0.20.1 with -jsz=all -prefix=nats (collector/jsz.go), the gauges we read.
NATS_EXPORTER = {
    "nats_server_max_storage",
    "nats_server_total_message_bytes",
    "nats_account_storage_used",
    "nats_stream_total_bytes",
    "nats_consumer_num_pending",
    "nats_consumer_num_ack_pending",
}
# CloudNativePG's instance exporter (default metrics and the backup collector).
CNPG = {
    "cnpg_pg_replication_lag",
    "cnpg_collector_last_available_backup_timestamp",
    "cnpg_collector_last_failed_backup_timestamp",
}
EXPORTERS = re.compile(r"\b((?:nats|cnpg)_[a-z0-9_]+)")


def groups(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["groups"])


def all_rules() -> list[dict[str, Any]]:
    return [r for path in RULE_FILES for g in groups(path) for r in g["rules"]]


def k8s_docs(kind: str) -> list[dict[str, Any]]:
    docs = [
        d for p in sorted(K8S.glob("*.yaml")) for d in yaml.safe_load_all(p.read_text(encoding="utf-8")) if d
    ]
    return [d for d in docs if isinstance(d, dict) and d.get("kind") == kind]


def test_every_rule_file_has_named_groups_of_well_formed_alerting_rules() -> None:
    assert [p.name for p in RULE_FILES] == ["bdhvs.yml", "platform.yml"]
    names: list[str] = []
    for path in RULE_FILES:
        for group in groups(path):
            assert set(group) == {"name", "rules"} and group["rules"], (path.name, group.get("name"))
            for rule in group["rules"]:
                assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
                assert re.fullmatch(r"Bdhvs[A-Za-z]+", rule["alert"]), rule["alert"]
                assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
                assert rule["labels"]["severity"] in {"warning", "critical"}
                assert rule["annotations"]["summary"] and rule["annotations"]["runbook_url"]
                assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]
                names.append(rule["alert"])
    group_names = [g["name"] for p in RULE_FILES for g in groups(p)]
    assert len(group_names) == len(set(group_names))


def test_the_issue_s_alerts_exist() -> None:
    names = {r["alert"] for r in all_rules()}
    assert {
        "BdhvsJetStreamStorageFilling",  # JetStream storage
        "BdhvsJetStreamConsumerLag",  # consumer lag (exporter), besides BdhvsConsumerLagGrowing (ours)
        "BdhvsPostgresReplicationLag",
        "BdhvsPostgresBackupFailed",
        "BdhvsPostgresBackupMissing",
        "BdhvsDeadLettersGrowing",
        "BdhvsOutboxStuck",  # the outbox ageing
    } <= names


def test_every_metric_a_rule_reads_is_exported_by_a_service_or_a_known_exporter() -> None:
    for rule in all_rules():
        ours = used_in(rule["expr"])
        theirs = set(EXPORTERS.findall(rule["expr"]))
        assert ours or theirs or "up{" in rule["expr"], rule["alert"]
        assert ours <= exported(), (rule["alert"], ours - exported())
        assert theirs <= NATS_EXPORTER | CNPG, (rule["alert"], theirs - NATS_EXPORTER - CNPG)


def test_every_runbook_link_leads_to_a_section() -> None:
    for rule in all_rules():
        path, _, anchor = rule["annotations"]["runbook_url"].partition("#")
        doc = (ROOT / path).read_text(encoding="utf-8")
        assert anchor in {_anchor(h) for h in re.findall(r"^#+ (.+)$", doc, re.M)}, rule["alert"]


def rendered_alertmanager(env: dict[str, str], tmp: Path) -> dict[str, Any]:
    """deploy/alertmanager/alertmanager.yml as start.sh writes it from `env` (the binary not run)."""
    out = tmp / "alertmanager.yml"
    done = subprocess.run(
        ["sh", str(ROOT / "deploy/alertmanager/start.sh")],
        env={**env, "ALERTMANAGER_CONFIG": str(out), "ALERTMANAGER_BIN": "true", "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(yaml.safe_load(out.read_text(encoding="utf-8")))


def test_compose_prometheus_alerts_an_alertmanager_that_mails_through_the_notifier_s_smtp_server(
    tmp_path: Path,
) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    prometheus = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text(encoding="utf-8"))
    [target] = prometheus["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    host, port = target.split(":")
    assert host in compose and f"{port}:{port}" in compose[host]["ports"]
    assert "./deploy/alertmanager:/etc/alertmanager:ro" in compose[host]["volumes"]
    notifier, alertmanager = compose["notifier"]["environment"], compose[host]["environment"]
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS"):  # the same SMTP server as the notifier
        assert alertmanager[name] == notifier[name], name
    assert alertmanager["ALERT_EMAIL_TO"].startswith("${ALERT_EMAIL_TO:?")  # required, never a default
    env = {
        **alertmanager,
        "ALERT_EMAIL_TO": "ops@test.invalid",
        "ALERT_EMAIL_FROM": "BDHVS <am@test.invalid>",
    }
    config = rendered_alertmanager(env, tmp_path)
    assert config["global"]["smtp_smarthost"] == f"{notifier['SMTP_HOST']}:{notifier['SMTP_PORT']}"
    assert config["global"]["smtp_from"] == "BDHVS <am@test.invalid>"
    receivers = {r["name"]: r for r in config["receivers"]}
    routed = [config["route"]["receiver"], *(r["receiver"] for r in config["route"].get("routes", []))]
    assert all(receivers[name]["email_configs"][0]["to"] == "ops@test.invalid" for name in routed)
    assert "/etc/prometheus/rules/*.yml" in prometheus["rule_files"]


def test_start_sh_refuses_to_start_alertmanager_without_a_receiver(tmp_path: Path) -> None:
    env = {
        "SMTP_HOST": "mail",
        "SMTP_PORT": "1025",
        "SMTP_STARTTLS": "false",
        "ALERT_EMAIL_FROM": "a@b.invalid",
    }
    with pytest.raises(AssertionError, match="ALERT_EMAIL_TO"):
        rendered_alertmanager(env, tmp_path)


def test_no_mail_address_is_committed_in_the_alerting_configuration() -> None:
    """The receivers come from the environment (compose) or config.yaml (Kubernetes), not from files."""
    for path in (
        "deploy/alertmanager/alertmanager.yml",
        "deploy/k8s/monitoring.yaml",
        "deploy/k8s/config.yaml",
    ):
        assert not re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", (ROOT / path).read_text(encoding="utf-8")), path


def test_the_prometheus_rule_holds_exactly_the_rule_files_groups_and_is_selected() -> None:
    [rule] = k8s_docs("PrometheusRule")
    assert rule["spec"]["groups"] == [g for p in RULE_FILES for g in groups(p)]
    assert SELECTED.items() <= rule["metadata"]["labels"].items()
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    assert "monitoring.yaml" in kustomization["resources"]


def replaced(document: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """`document` after kustomization.yaml's replacements from the ConfigMap `source` (the subset of
    kustomize's semantics they use: a data field into a dotted path, or into one part of a string)."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    for replacement in kustomization["replacements"]:
        assert replacement["source"]["name"] == source["metadata"]["name"]
        value = source["data"][replacement["source"]["fieldPath"].removeprefix("data.")]
        for target in replacement["targets"]:
            if target["select"] != {"kind": document["kind"], "name": document["metadata"]["name"]}:
                continue
            for path in target["fieldPaths"]:
                *parents, last = path.split(".")
                node: Any = document
                for key in parents:
                    node = node[int(key)] if key.isdigit() else node[key]
                options = target.get("options")
                if options:
                    parts = str(node[last]).split(options["delimiter"])
                    parts[options["index"]] = value
                    node[last] = options["delimiter"].join(parts)
                else:
                    node[last] = value
    return document


def test_the_alertmanager_config_mails_the_operators_through_the_configured_smtp_relay() -> None:
    [config] = k8s_docs("AlertmanagerConfig")
    assert SELECTED.items() <= config["metadata"]["labels"].items()
    [settings] = [d for d in k8s_docs("ConfigMap") if "SMTP_HOST" in d.get("data", {})]
    assert {"ALERT_EMAIL_TO", "ALERT_EMAIL_FROM"} <= settings["data"].keys()
    filled = {
        **settings,
        "data": {**settings["data"], "ALERT_EMAIL_TO": "ops@x.invalid", "ALERT_EMAIL_FROM": "am@x.invalid"},
    }
    config = replaced(config, filled)
    receivers = {r["name"]: r for r in config["spec"]["receivers"]}
    [email] = receivers[config["spec"]["route"]["receiver"]]["emailConfigs"]
    assert email["smarthost"] == f"{settings['data']['SMTP_HOST']}:{settings['data']['SMTP_PORT']}"
    assert (email["to"], email["from"]) == ("ops@x.invalid", "am@x.invalid")
    assert email["sendResolved"] is True


def test_every_pod_monitor_carries_the_label_kube_prometheus_stack_selects() -> None:
    monitors = k8s_docs("PodMonitor")
    assert {m["metadata"]["name"] for m in monitors} >= {"intake", "kpi", "notifier", "web", "bdhvs-db"}
    for monitor in monitors:
        assert SELECTED.items() <= monitor["metadata"]["labels"].items(), monitor["metadata"]["name"]
    nats = yaml.safe_load((K8S / "nats-values.yaml").read_text(encoding="utf-8"))
    exporter = nats["promExporter"]["podMonitor"]
    assert exporter["enabled"] and SELECTED.items() <= exporter["merge"]["metadata"]["labels"].items()
