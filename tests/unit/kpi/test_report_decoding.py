"""The replays' fast decoding (msgspec) keeps and skips exactly the messages pydantic does, with the
same figures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bdhvs_shared.events import ReportAccepted
from kpi.adapters.report_decoding import decode_report
from kpi.domain.projector import StoredObservation
from kpi.domain.receipts import merge_receipt
from kpi.domain.replayed import validated_report
from support.events import report_accepted


def _message(**changes: Any) -> bytes:
    event = report_accepted("09313", "2026-03", {"c": (5000, 10000), "d": (6000, 10000)})
    body = json.loads(event.model_dump_json())
    body.update(changes)
    return json.dumps(body).encode()


def test_a_valid_report_reads_as_the_validated_event() -> None:
    data = _message()
    fast, slow = decode_report(data), ReportAccepted.model_validate_json(data)
    assert fast is not None
    for name in ("event_id", "unit_code", "form", "period", "revision", "as_of", "received_at", "deadline"):
        assert getattr(fast, name) == getattr(slow, name)
    assert StoredObservation.of(fast, "c", fast.values["c"]) == StoredObservation.of(
        slow, "c", slow.values["c"]
    )
    assert merge_receipt(None, fast) == merge_receipt(None, slow)


@pytest.mark.parametrize(
    "data",
    [
        b'{"not": "an event"}',
        b"not json",
        _message(revision=0),
        _message(unit_code="9313"),
        _message(received_at="2026-03-15T09:00:00"),  # no offset
        _message(values={"c": {"numerator": 1, "denominator": 2_000_000_000}}),
        _message(event_type="bdhvs.report.rejected"),
        _message(revision="2"),  # pydantic's lax mode takes it: decided by pydantic
        _message(schema_version=2, extra_field=1),  # another version: decided by pydantic
    ],
)
def test_a_message_is_kept_or_skipped_as_pydantic_decides(data: bytes) -> None:
    fast, slow = decode_report(data), validated_report(data)
    assert (fast is None) == (slow is None)
    if slow is not None:
        assert fast is not None and fast.revision == slow.revision
