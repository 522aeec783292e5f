"""Form rules: a submission against the catalogue, every problem at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bdhvs_shared.catalogue import Catalogue, Form, Period, PeriodError, Unit, as_of_date
from intake.domain.problems import Problem, problem


@dataclass(frozen=True)
class IndicatorValue:
    numerator: int
    denominator: int | None


@dataclass(frozen=True)
class Submission:
    unit_code: str
    form: str
    period: str
    values: Mapping[str, IndicatorValue]


@dataclass(frozen=True)
class ValidatedValue:
    numerator: int
    denominator: int
    denominator_estimated: bool


@dataclass(frozen=True)
class ValidReport:
    unit: Unit
    form: Form
    period: Period
    as_of: date
    values: Mapping[str, ValidatedValue]


def validate_submission(catalogue: Catalogue, s: Submission) -> ValidReport | list[Problem]:
    problems: list[Problem] = []
    unit = catalogue.units.get(s.unit_code)
    if unit is None:
        problems.append(problem("unit.unknown", "unit_code", value=s.unit_code))
    form = catalogue.forms.get(s.form)
    if form is None:
        problems.append(
            problem("form.unknown", "form", value=s.form, allowed=", ".join(sorted(catalogue.forms)))
        )
    elif unit is not None and unit.kind not in form.reporter_kinds:
        problems.append(problem("form.not_for_unit", "form", unit=unit.code, form=form.code))
    period = _period(s.period, form, problems)
    values: dict[str, ValidatedValue] = {}
    if form is not None:
        values = _values(catalogue, s, form, problems)
    if problems or unit is None or form is None or period is None:
        return problems
    return ValidReport(unit, form, period, as_of_date(period, form.as_of_day), values)


def _period(text: str, form: Form | None, problems: list[Problem]) -> Period | None:
    try:
        period = Period.parse(text)
    except PeriodError:
        problems.append(problem("period.malformed", "period", value=text))
        return None
    if form is not None and period.type is not form.period_type:
        problems.append(
            problem(
                "period.wrong_type",
                "period",
                value=text,
                form=form.code,
                expected=form.period_type.value,
            )
        )
        return None
    return period


def _values(
    catalogue: Catalogue, s: Submission, form: Form, problems: list[Problem]
) -> dict[str, ValidatedValue]:
    out = {}
    allowed = ", ".join(form.indicators)
    for code in s.values:
        if code not in form.indicators:
            problems.append(
                problem(
                    "indicator.unknown",
                    f"values.{code}",
                    value=code,
                    form=form.code,
                    allowed=allowed,
                )
            )
    for code in form.indicators:
        value = s.values.get(code)
        if value is None:
            problems.append(problem("indicator.missing", f"values.{code}", value=code, form=form.code))
            continue
        checked = _value(catalogue, s.unit_code, code, value, problems)
        if checked is not None:
            out[code] = checked
    return out


def _value(
    catalogue: Catalogue, unit_code: str, code: str, value: IndicatorValue, problems: list[Problem]
) -> ValidatedValue | None:
    field = f"values.{code}"
    before = len(problems)
    for name, number in (("numerator", value.numerator), ("denominator", value.denominator)):
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
            problems.append(problem("value.not_integer", f"{field}.{name}"))
        elif number is not None and number < 0:
            problems.append(problem("value.negative", f"{field}.{name}"))
    if len(problems) > before:
        return None
    denominator, estimated = value.denominator, False
    if denominator is None:
        denominator, estimated = catalogue.reference_denominator(unit_code, code), True
        if denominator is None:
            problems.append(problem("value.denominator_missing", f"{field}.denominator"))
            return None
    if denominator == 0:
        problems.append(problem("value.denominator_zero", f"{field}.denominator"))
        return None
    if value.numerator > denominator:
        problems.append(
            problem(
                "value.numerator_above_denominator",
                f"{field}.numerator",
                numerator=value.numerator,
                denominator=denominator,
            )
        )
        return None
    return ValidatedValue(value.numerator, denominator, estimated)
