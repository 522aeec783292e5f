"""The event contract: envelope, CloudEvents headers, subjects, tolerant reading."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest

from bdhvs_shared.events import IndicatorValue, ReportAccepted, subjects
from bdhvs_shared.events.cloudevents import body_for, headers_for

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def accepted(**overrides: object) -> ReportAccepted:
    data: dict[str, object] = {
        "report_id": "6f0c1a52-7d8b-4b7e-9c55-1d5a3f0f6a11",
        "revision": 1,
        "unit_code": "09313",
        "form": "monthly",
        "period": "2026-03",
        "as_of": date(2026, 3, 14),
        "values": {"c": IndicatorValue(numerator=15000, denominator=18000)},
        "received_at": NOW,
        "deadline": datetime(2026, 3, 19, 17, tzinfo=UTC),
        "on_time": True,
        "submitted_by": "commune:09313",
        "catalogue_version": "abc",
    }
    data.update(overrides)
    return ReportAccepted.new(producer="intake", correlation_id=None, occurred_at=NOW, **data)


def test_a_new_event_carries_the_envelope() -> None:
    event = accepted()
    assert event.event_type == "bdhvs.report.accepted" and event.schema_version == 1
    assert event.correlation_id == event.event_id  # a report starts its own chain
    assert event.producer == "intake"


def test_headers_are_cloudevents_binary_mode_with_the_dedup_id() -> None:
    event = accepted()
    headers = headers_for(event, "bdhvs.report.accepted.09313")
    assert headers["Nats-Msg-Id"] == headers["ce-id"] == str(event.event_id)
    assert headers["ce-specversion"] == "1.0"
    assert headers["ce-type"] == "vn.bacninh.bdhvs.report.accepted.v1"
    assert headers["ce-source"] == "/bdhvs/intake"
    assert json.loads(body_for(event))["unit_code"] == "09313"


def test_header_values_are_percent_encoded_ascii() -> None:
    event = accepted()
    headers = headers_for(event, 'Xã Chi Lăng "x" 100%')
    assert headers["ce-subject"].isascii() and " " not in headers["ce-subject"]
    assert unquote(headers["ce-subject"]) == 'Xã Chi Lăng "x" 100%'


def test_readers_ignore_fields_added_by_a_newer_producer() -> None:
    body = json.loads(body_for(accepted()))
    body["a_field_from_the_future"] = 1
    assert ReportAccepted.model_validate(body).unit_code == "09313"


def test_a_bad_event_is_rejected_when_emitted() -> None:
    with pytest.raises(ValueError):
        accepted(unit_code="Chi Lăng")
    with pytest.raises(ValueError):
        accepted(revision=0)


def test_subject_tokens_are_ascii_codes_only() -> None:
    assert subjects.kpi_attainment("24", "dd") == "bdhvs.kpi.attainment.24.dd"
    for bad in ("Chi Lăng", "a.b", "*", ">", ""):
        with pytest.raises(ValueError):
            subjects.report_accepted(bad)


def test_a_failed_notification_has_its_own_subject_and_versioned_type() -> None:
    from uuid import uuid4

    from bdhvs_shared.events import NotificationFailed

    event = NotificationFailed.new(
        producer="notifier",
        correlation_id=None,
        occurred_at=NOW,
        notification_id=uuid4(),
        unit_code="09313",
        kind="kpi_below_target",
        channel="sms",
        recipient="84912345678",
        attempts=1,
        reason="HTTP 400: invalid phone",
        permanent=True,
    )
    subject = subjects.notification_failed("09313")
    assert subject == "bdhvs.notification.failed.09313"
    assert headers_for(event, subject)["ce-type"] == "vn.bacninh.bdhvs.notification.failed.v1"
    assert NotificationFailed.model_validate_json(body_for(event)) == event
    with pytest.raises(ValueError):
        subjects.notification_failed("09.313")
