"""Alerts about the system reach someone (issue 15, item 4), checked without a cluster or promtool:
every rule file parses with the shape Prometheus wants, reads only metrics that exist (the services'
own /metrics, the NATS exporter's, CloudNativePG's), links to its runbook section; compose's
Prometheus sends to an Alertmanager that mails through the notifier's SMTP server; on Kubernetes the
PrometheusRule holds exactly the same groups, an AlertmanagerConfig mails through config.yaml's SMTP
relay, and every PodMonitor and rule carries the label a default kube-prometheus-stack selects."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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


def test_compose_prometheus_alerts_an_alertmanager_that_mails_through_the_notifier_s_smtp_server() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    prometheus = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text(encoding="utf-8"))
    [target] = prometheus["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    host, port = target.split(":")
    assert host in compose and f"{port}:{port}" in compose[host]["ports"]
    assert "./deploy/alertmanager:/etc/alertmanager:ro" in compose[host]["volumes"]
    config = yaml.safe_load((ROOT / "deploy/alertmanager/alertmanager.yml").read_text(encoding="utf-8"))
    notifier = compose["notifier"]["environment"]
    assert config["global"]["smtp_smarthost"] == f"{notifier['SMTP_HOST']}:{notifier['SMTP_PORT']}"
    receivers = {r["name"]: r for r in config["receivers"]}
    routed = [config["route"]["receiver"], *(r["receiver"] for r in config["route"].get("routes", []))]
    assert all(receivers[name]["email_configs"][0]["to"] for name in routed)
    assert "/etc/prometheus/rules/*.yml" in prometheus["rule_files"]


def test_the_prometheus_rule_holds_exactly_the_rule_files_groups_and_is_selected() -> None:
    [rule] = k8s_docs("PrometheusRule")
    assert rule["spec"]["groups"] == [g for p in RULE_FILES for g in groups(p)]
    assert SELECTED.items() <= rule["metadata"]["labels"].items()
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    assert "monitoring.yaml" in kustomization["resources"]


def test_the_alertmanager_config_mails_the_operators_through_the_configured_smtp_relay() -> None:
    [config] = k8s_docs("AlertmanagerConfig")
    assert SELECTED.items() <= config["metadata"]["labels"].items()
    [settings] = [d for d in k8s_docs("ConfigMap") if "SMTP_HOST" in d.get("data", {})]
    receivers = {r["name"]: r for r in config["spec"]["receivers"]}
    [email] = receivers[config["spec"]["route"]["receiver"]]["emailConfigs"]
    assert email["smarthost"] == f"{settings['data']['SMTP_HOST']}:{settings['data']['SMTP_PORT']}"
    assert email["to"] and email["sendResolved"] is True


def test_every_pod_monitor_carries_the_label_kube_prometheus_stack_selects() -> None:
    monitors = k8s_docs("PodMonitor")
    assert {m["metadata"]["name"] for m in monitors} >= {"intake", "kpi", "notifier", "web", "bdhvs-db"}
    for monitor in monitors:
        assert SELECTED.items() <= monitor["metadata"]["labels"].items(), monitor["metadata"]["name"]
    nats = yaml.safe_load((K8S / "nats-values.yaml").read_text(encoding="utf-8"))
    exporter = nats["promExporter"]["podMonitor"]
    assert exporter["enabled"] and SELECTED.items() <= exporter["merge"]["metadata"]["labels"].items()
