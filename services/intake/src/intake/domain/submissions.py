"""A report as a clerk submits it (`Submission`) and as validation hands it on (`ValidReport`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from bdhvs_shared.catalogue import Form, Period, Unit
from intake.domain.problems import Problem


@dataclass(frozen=True)
class IndicatorValue:
    numerator: int
    denominator: int | None  # None: use the unit's reference denominator (an estimate)
    parts: Mapping[str, int] | None = None  # sub-counts, for an indicator that has parts


@dataclass(frozen=True)
class Submission:
    unit_code: str
    form: str
    period: str
    values: Mapping[str, IndicatorValue]


@dataclass(frozen=True)
class ValidatedValue:
    numerator: int
    denominator: int  # > 0 and ≥ numerator; 1 for yes/no; 0 for a count (no attainment)
    denominator_estimated: bool  # True when taken from the catalogue's reference denominator
    parts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ValidReport:
    unit: Unit
    form: Form
    period: Period
    as_of: date
    values: Mapping[str, ValidatedValue]  # in the form's indicator order
    warnings: tuple[Problem, ...] = ()
