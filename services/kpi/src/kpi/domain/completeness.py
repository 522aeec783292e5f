"""Reporting completeness and timeliness of one form and period (docs/kpi-rules.md; pure).

expected — the active units that file the form; received — those of them whose report
arrived (any revision); on time — whose first revision arrived before the cut-off;
late = received − on time; missing = expected − received. Rates are over expected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

ALL = "province"  # the group of every expected unit


class ReportState(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"


@dataclass(frozen=True)
class ExpectedUnit:
    code: str
    kind: str  # xa, phuong or province (an agency's report on the province)


@dataclass(frozen=True)
class GroupCompleteness:
    group: str
    expected: int
    received: int
    on_time: int

    @property
    def late(self) -> int:
        return self.received - self.on_time

    @property
    def missing(self) -> int:
        return self.expected - self.received

    @property
    def reporting_rate(self) -> float | None:
        return self.received / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None


def state_of(code: str, on_time_by_unit: Mapping[str, bool]) -> ReportState:
    if code not in on_time_by_unit:
        return ReportState.MISSING
    return ReportState.ON_TIME if on_time_by_unit[code] else ReportState.LATE


def completeness(
    expected: Sequence[ExpectedUnit],
    on_time_by_unit: Mapping[str, bool],
    kinds: Sequence[str] = ("xa", "phuong"),
) -> list[GroupCompleteness]:
    """The whole (`province`) first, then each of `kinds` that has expected units.

    Reports from units not expected (not active on the as-of day, or not filing the
    form) are not counted: a rate stays within [0, 1].
    """
    groups = [(ALL, list(expected))]
    groups += [(kind, [u for u in expected if u.kind == kind]) for kind in kinds]
    out = []
    for name, units in groups:
        if name != ALL and not units:
            continue
        states = [state_of(u.code, on_time_by_unit) for u in units]
        out.append(
            GroupCompleteness(
                group=name,
                expected=len(units),
                received=sum(s is not ReportState.MISSING for s in states),
                on_time=sum(s is ReportState.ON_TIME for s in states),
            )
        )
    return out
