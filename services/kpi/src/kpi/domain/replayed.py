"""What the replays (rebuild, verify) and the folds read of an accepted report (pure).

A `ReportAccepted` is one; the replays of the REPORTS stream hand a faster decoding of the same
message (`kpi.adapters.report_decoding`), with the same fields and the same checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from pydantic import ValidationError

from bdhvs_shared.events import ReportAccepted


class ReplayedFigures(Protocol):
    @property
    def numerator(self) -> int: ...

    @property
    def denominator(self) -> int: ...


class ReplayedReport(Protocol):
    """What the replays read of a ReportAccepted: the event itself, or a faster decoding of it
    (`kpi.adapters.report_decoding`)."""

    @property
    def event_id(self) -> UUID: ...

    @property
    def unit_code(self) -> str: ...

    @property
    def form(self) -> str: ...

    @property
    def period(self) -> str: ...

    @property
    def revision(self) -> int: ...

    @property
    def as_of(self) -> date: ...

    @property
    def values(self) -> Mapping[str, ReplayedFigures]: ...

    @property
    def received_at(self) -> datetime: ...

    @property
    def deadline(self) -> datetime: ...

    @property
    def on_time(self) -> bool: ...


def validated_report(data: bytes) -> ReportAccepted | None:
    """The message validated as the live consumer does (pydantic); None when it is not a ReportAccepted."""
    try:
        return ReportAccepted.model_validate_json(data)
    except ValidationError:
        return None
