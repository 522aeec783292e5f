"""Decoding REPORTS messages fast for the replays (`kpi rebuild`, `kpi verify`): msgspec, not pydantic.

The REPORTS stream holds what intake validated and published; a replay reads every message of
it, and pydantic's validation was most of the time per message. msgspec decodes the known
schema version with the same checks (types, figure ranges, the unit code's pattern, revision
≥ 1, aware datetimes) into a plain struct that the folds read (`domain.replayed.ReplayedReport`).
Anything else (another type or schema version, a message msgspec refuses) goes through
`ReportAccepted.model_validate_json` as before, so a message is kept or skipped exactly as the
live consumer would.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from bdhvs_shared.events import ReportAccepted
from bdhvs_shared.events.reports import MAX_FIGURE
from kpi.domain.replayed import ReplayedReport, validated_report

_Figure = Annotated[int, msgspec.Meta(ge=0, le=MAX_FIGURE)]
_Aware = Annotated[datetime, msgspec.Meta(tz=True)]


class _Value(msgspec.Struct):
    numerator: _Figure
    denominator: _Figure
    denominator_estimated: bool = False
    parts: dict[str, _Figure] = {}


class _Report(msgspec.Struct):
    event_id: UUID
    event_type: str
    schema_version: int
    occurred_at: _Aware
    producer: str
    correlation_id: UUID
    report_id: UUID
    revision: Annotated[int, msgspec.Meta(ge=1)]
    unit_code: Annotated[str, msgspec.Meta(pattern=r"^\d{2}(\d{3})?$")]
    form: str
    period: str
    as_of: date
    values: dict[str, _Value]
    received_at: _Aware
    deadline: _Aware
    on_time: bool
    submitted_by: str
    catalogue_version: str


_decoder = msgspec.json.Decoder(_Report)
_KNOWN = (ReportAccepted.TYPE, ReportAccepted.SCHEMA_VERSION)  # read once, not per message


def decode_report(data: bytes) -> ReplayedReport | None:
    """The report a message carries, or None when it is not a valid ReportAccepted."""
    try:
        raw = _decoder.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return validated_report(data)
    if (raw.event_type, raw.schema_version) != _KNOWN:
        return validated_report(data)
    return raw
