"""The committed AsyncAPI and OpenAPI documents say what the code does (regenerate: make docs)."""

from __future__ import annotations

import json
import re

from bdhvs_local import docs


def test_committed_documents_match_the_code() -> None:
    assert docs.stale() == [], "run `make docs` and commit the result"


def test_asyncapi_lists_each_service_channels_and_event_schemas() -> None:
    kpi = json.loads((docs.ROOT / "docs/asyncapi/kpi.json").read_text(encoding="utf-8"))
    assert set(kpi["channels"]) == {
        "bdhvs.kpi.attainment.{unit_code}.{indicator}:publish",
        "bdhvs.kpi.status.{unit_code}.{indicator}:publish",
        "bdhvs.kpi.reporting.{form}:publish",
        "bdhvs.kpi.consolidated.{period}:publish",
        "kpi-reports:consume",
    }
    assert {"AttainmentUpdated", "ReportAccepted", "StatusChanged", "ReportingUpdated"} <= set(
        kpi["components"]["schemas"]
    )
    intake = json.loads((docs.ROOT / "docs/asyncapi/intake.json").read_text(encoding="utf-8"))
    assert set(intake["channels"]) == {
        "bdhvs.report.accepted.{unit_code}:publish",
        "bdhvs.catalogue.published:publish",
    }
    notifier = json.loads((docs.ROOT / "docs/asyncapi/notifier.json").read_text(encoding="utf-8"))
    assert "notifier-kpi:consume" in notifier["channels"]


def test_asyncapi_messages_carry_the_ce_headers_the_relay_sends_and_channels_declare_their_parameters() -> (
    None
):
    from bdhvs_shared.events import ReportAccepted
    from bdhvs_shared.events.cloudevents import headers_for

    sent = headers_for(ReportAccepted.model_validate(_report_event()), "bdhvs.report.accepted.09313")
    for service in ("intake", "kpi", "notifier"):
        doc = json.loads((docs.ROOT / f"docs/asyncapi/{service}.json").read_text(encoding="utf-8"))
        for message in doc["components"]["messages"].values():
            assert set(sent) == set(message["headers"]["properties"]), service
            assert message["correlationId"]["location"] == "$message.header#/ce-correlationid"
        for channel in doc["channels"].values():
            names = set(re.findall(r"{([a-z_]+)}", channel["address"] or ""))
            assert names == set(channel.get("parameters", {})), channel["address"]


def _report_event() -> dict[str, object]:
    from support.events import report_accepted

    return report_accepted("09313", "2026-03", {"c": (1, 2)}).model_dump(mode="json")


def test_openapi_documents_the_report_endpoint_and_its_errors() -> None:
    intake = json.loads((docs.ROOT / "docs/openapi/intake.json").read_text(encoding="utf-8"))
    post = intake["paths"]["/api/v1/reports"]["post"]
    assert {"201", "401", "403", "422"} <= set(post["responses"])


def test_notifier_documents_its_events_and_the_delivery_log_filters() -> None:
    notifier = json.loads((docs.ROOT / "docs/asyncapi/notifier.json").read_text(encoding="utf-8"))
    assert {
        "bdhvs.notification.sent.{unit_code}:publish",
        "bdhvs.notification.failed.{unit_code}:publish",
    } <= set(notifier["channels"])
    assert {"NotificationSent", "NotificationFailed"} <= set(notifier["components"]["schemas"])
    openapi = json.loads((docs.ROOT / "docs/openapi/notifier.json").read_text(encoding="utf-8"))
    get = openapi["paths"]["/api/v1/notifications"]["get"]
    names = {p["name"] for p in get["parameters"]}
    assert {"unit", "recipient", "kind", "channel", "status", "since", "until", "limit", "offset"} <= names
