"""A unit's projection for one indicator, as stored and as published (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, NamedTuple

from kpi.domain.projection import Projection
from kpi.domain.target import Target


@dataclass(frozen=True)
class Snapshot:
    unit_code: str
    indicator: str
    as_of: date | None
    numerator: int | None
    denominator: int | None
    attainment: float | None
    pace_per_day: float | None
    projected: float | None
    required_pace_per_day: float | None
    status: str
    target_value: float | None
    target_comparator: str | None
    target_due: date | None
    units_reporting: int
    units_expected: int

    @classmethod
    def of(
        cls,
        unit_code: str,
        indicator: str,
        projection: Projection,
        target: Target | None,
        units_reporting: int,
        units_expected: int,
    ) -> Snapshot:
        return cls(
            unit_code=unit_code,
            indicator=indicator,
            as_of=projection.as_of,
            numerator=projection.numerator,
            denominator=projection.denominator,
            attainment=projection.attainment,
            pace_per_day=projection.pace_per_day,
            projected=projection.projected,
            required_pace_per_day=projection.required_pace_per_day,
            status=projection.status.value,
            target_value=target.value if target else None,
            target_comparator=target.comparator.value if target else None,
            target_due=target.due if target else None,
            units_reporting=units_reporting,
            units_expected=units_expected,
        )

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Snapshot:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


class AttainmentStatus(NamedTuple):
    """The part of a stored snapshot the dashboards' gauges read."""

    unit_code: str
    indicator: str
    attainment: float | None
    status: str
