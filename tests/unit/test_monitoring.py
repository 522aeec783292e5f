"""Dashboards and alert rules use only metrics the services really export, and every rule has a runbook.

The exported names are read from each service's own /metrics (the app is built, not started), so a
renamed or removed metric fails here instead of silently blanking a panel or muting an alert.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy/prometheus/rules/bdhvs.yml"
DASHBOARDS = sorted((ROOT / "deploy/grafana/dashboards").glob("*.json"))
# Metric names: our own, the HTTP instrumentation's and FastStream's; `up` comes from Prometheus itself.
METRIC = re.compile(r"\b((?:bdhvs|http|faststream)_[a-zA-Z0-9_]+)")
SUFFIXES = ("_bucket", "_sum", "_count", "_created")


def _apps() -> list[FastAPI]:
    from intake.bootstrap import create_app as intake_app
    from intake.settings import IntakeSettings
    from kpi.bootstrap import create_app as kpi_app
    from kpi.settings import KpiSettings
    from notifier.bootstrap import create_app as notifier_app
    from notifier.settings import NotifierSettings

    common: dict[str, Any] = {"nats_url": "nats://unused:4222", "database_url": "postgresql://u@unused/db"}
    return [
        intake_app(IntakeSettings(**common)),
        kpi_app(KpiSettings(**common, auth_url="http://unused")),
        notifier_app(
            NotifierSettings(
                **common,
                smtp_host="unused",
                auth_url="http://unused",
                notifier_ack_secret="monitoring-test-ack-key",
            )
        ),
    ]


@cache
def exported() -> frozenset[str]:
    """Every metric name the three services expose on /metrics (without starting them)."""
    import asyncio

    async def scrape(app: FastAPI) -> str:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get("/metrics")).text

    names: set[str] = set()
    for app in _apps():
        text = asyncio.run(scrape(app))
        for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M):
            names.add(name)
            if kind == "counter":
                names.add(f"{name}_total")
        names.update(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", text, re.M))
    return frozenset(names)


def used_in(text: str) -> set[str]:
    names = set()
    for name in METRIC.findall(text):
        for suffix in SUFFIXES:
            if name.endswith(suffix) and name.removesuffix(suffix) in exported():
                name = name.removesuffix(suffix)
        names.add(name)
    return names


def rules() -> list[dict[str, Any]]:
    return [r for g in yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"] for r in g["rules"]]


def dashboard_exprs(path: Path) -> list[str]:
    board = json.loads(path.read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    exprs += [str(v.get("query", "")) for v in board.get("templating", {}).get("list", [])]
    return exprs


def test_the_services_export_the_metrics_operations_rely_on() -> None:
    assert {
        "bdhvs_consumer_num_pending",
        "bdhvs_outbox_oldest_unpublished_seconds",
        "bdhvs_dlq_messages",
        "bdhvs_worker_last_success_timestamp_seconds",
        "bdhvs_kpi_attainment_ratio",
        "bdhvs_notifications_failed_total",
        "http_request_duration_seconds",
    } <= exported()


def test_every_metric_in_the_alert_rules_is_exported() -> None:
    for rule in rules():
        used = used_in(rule["expr"])
        assert used or "up{" in rule["expr"], rule["alert"]
        assert used <= exported(), (rule["alert"], used - exported())


@pytest.mark.parametrize("path", DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def test_every_metric_on_the_dashboards_is_exported(path: Path) -> None:
    exprs = dashboard_exprs(path)
    assert exprs
    for expr in exprs:
        assert used_in(expr) <= exported(), (expr, used_in(expr) - exported())


def test_the_dashboards_cover_what_operators_watch() -> None:
    text = " ".join(e for p in DASHBOARDS for e in dashboard_exprs(p))
    for needed in (
        "bdhvs_reports_accepted_total",  # pipeline rate
        "bdhvs_consumer_num_pending",  # consumer lag
        "bdhvs_handler_seconds_bucket",  # latency
        "bdhvs_outbox_oldest_unpublished_seconds",
        "bdhvs_dlq_messages",
        "bdhvs_kpi_attainment_ratio",  # the province's attainment
        "bdhvs_notifications_sent_total",  # by channel and status
    ):
        assert needed in text, needed
    for path in DASHBOARDS:
        board = json.loads(path.read_text(encoding="utf-8"))
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] == "bdhvs-prometheus", panel["title"]


def test_no_dashboard_or_rule_reads_a_communes_attainment() -> None:
    """kpi exports the province's attainment only (/metrics takes no token): unit="24" everywhere."""
    exprs = [e for p in DASHBOARDS for e in dashboard_exprs(p)] + [r["expr"] for r in rules()]
    for expr in exprs:
        if "bdhvs_kpi_attainment_ratio{" in expr:
            assert 'unit="24"' in expr, expr


def test_every_rule_has_a_severity_and_a_runbook_section_that_exists() -> None:
    names = [r["alert"] for r in rules()]
    for needed in (
        "BdhvsServiceDown",
        "BdhvsConsumerLagGrowing",
        "BdhvsRedeliveries",
        "BdhvsDeadLetters",
        "BdhvsOutboxStuck",
        "BdhvsReminderTickStale",
        "BdhvsNotificationFailureRate",
    ):
        assert needed in names
    for rule in rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}
        path, _, anchor = rule["annotations"]["runbook_url"].partition("#")
        assert path.startswith("docs/operations/"), rule["alert"]
        doc = (ROOT / path).read_text(encoding="utf-8")
        headings = {_anchor(h) for h in re.findall(r"^#+ (.+)$", doc, re.M)}
        assert anchor in headings, (rule["alert"], anchor)


def _anchor(heading: str) -> str:
    """GitHub/GitLab-style heading anchor."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_between_the_runbook_pages_lead_to_existing_sections() -> None:
    base = ROOT / "docs/operations"
    for page in base.glob("*.md"):
        for target, anchor in re.findall(r"\]\(([\w./-]+\.md)#([\w-]+)\)", page.read_text(encoding="utf-8")):
            doc = (page.parent / target).read_text(encoding="utf-8")
            headings = {_anchor(h) for h in re.findall(r"^#+ (.+)$", doc, re.M)}
            assert anchor in headings, (page.name, target, anchor)


def test_the_reminder_tick_alert_watches_the_ledger_tick_by_its_name() -> None:
    from notifier.entrypoints.workers.ledger_tick import LedgerTick

    rules = (ROOT / "deploy/prometheus/rules/bdhvs.yml").read_text(encoding="utf-8")
    assert f'worker="{LedgerTick.name}"' in rules
