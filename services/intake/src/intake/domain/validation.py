"""Form rules: a submission against the catalogue, every problem at once.

`validate_submission` never stops at the first problem: it reports every error it can find (and
the warnings) so that a clerk fixes a report in one go. Checks that depend on something already
wrong are skipped rather than reported twice (e.g. no "missing indicator" when the form is unknown,
no "no reference population" when the unit is unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from bdhvs_shared.catalogue import (
    Catalogue,
    Form,
    Measure,
    Period,
    PeriodError,
    Unit,
    UnitKind,
    as_of_date,
    reportable_from,
)
from bdhvs_shared.events import MAX_FIGURE
from intake.domain.problems import (
    BASIS_NAMES,
    ESTIMATE_NOTE,
    PART_NAMES,
    PERIOD_TYPE_NAMES,
    UNIT_KIND_NAMES,
    Problem,
    Severity,
    describe_field,
    indicator_label,
    number,
    problem,
    shown,
)

# A given denominator below half or above twice the reference is flagged (warning) as a likely typo.
FAR_BELOW_REFERENCE = 0.5
FAR_ABOVE_REFERENCE = 2.0
# A figure above this many times the unit's population is refused: no commune has ten times as many
# people, workers or students as residents, and one such typo would swamp the province's sums.
POPULATION_MARGIN = 10


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


def validate_submission(
    catalogue: Catalogue, s: Submission, today: date, early_days: int = 0
) -> ValidReport | list[Problem]:
    """A ValidReport, or every problem found (errors and warnings) when there is at least one error.

    `today`: the local date the report is received; a period whose as-of day is more than
    `early_days` after it cannot be reported yet.
    """
    problems: list[Problem] = []
    unit = _unit(catalogue, s.unit_code, problems)
    form = _form(catalogue, s.form, unit, problems)
    period = _period(s.period, form, problems)
    values = _values(catalogue, s, unit, form, problems)
    if unit is not None and form is not None and period is not None:
        as_of = as_of_date(period, form.as_of_day)
        if not unit.active_on(as_of):
            problems.append(_inactive(unit, str(period), as_of))
    if form is not None and period is not None:
        ahead = check_not_ahead(period, form, today, early_days)
        if ahead is not None:
            problems.append(ahead)
    if any(p.severity is Severity.ERROR for p in problems):
        return problems
    assert unit is not None and form is not None and period is not None  # no error → all three resolved
    return ValidReport(unit, form, period, as_of_date(period, form.as_of_day), values, tuple(problems))


def check_not_ahead(period: Period, form: Form, today: date, early_days: int = 0) -> Problem | None:
    """A period is reported once its figures exist: from `early_days` before its as-of day (the 14th
    of its last month; a week's Sunday), in local time. None when it may be reported on `today`."""
    as_of = as_of_date(period, form.as_of_day)
    earliest = reportable_from(as_of, early_days)
    if today >= earliest:
        return None
    return problem(
        "period.in_future",
        "period",
        period=str(period),
        as_of=f"{as_of:%d/%m/%Y}",
        earliest=f"{earliest:%d/%m/%Y}",
        today=f"{today:%d/%m/%Y}",
    )


def _inactive(unit: Unit, period: str, as_of: date) -> Problem:
    """A unit reports only for periods it existed in (units merge and split: NQ 1658, 1 July 2025)."""
    since = f"từ ngày {unit.active_from:%d/%m/%Y}" if unit.active_from else ""
    until = f"đến hết ngày {unit.active_to:%d/%m/%Y}" if unit.active_to else ""
    return problem(
        "unit.inactive",
        "period",
        unit=unit_label(unit),
        period=period,
        as_of=f"{as_of:%d/%m/%Y}",
        active=" ".join(x for x in (since, until) if x) or "—",
    )


def unit_label(unit: Unit) -> str:
    """E.g. "Xã Chi Lăng (09313)"."""
    return f"{UNIT_KIND_NAMES.get(unit.kind.value, '')} {unit.name} ({unit.code})".strip()


def _present(value: object, field: str, problems: list[Problem]) -> bool:
    """A non-blank string; otherwise field.missing (blank) or field.invalid (not text)."""
    if isinstance(value, str) and value.strip():
        return True
    if isinstance(value, str) or value is None:
        problems.append(problem("field.missing", field, subject=describe_field(field)))
    else:
        problems.append(
            problem("field.invalid", field, subject=describe_field(field), reason="cần là một chuỗi ký tự")
        )
    return False


def _unit(catalogue: Catalogue, code: str, problems: list[Problem]) -> Unit | None:
    if not _present(code, "unit_code", problems):
        return None
    unit = catalogue.unit(code)
    if unit is None:
        problems.append(problem("unit.unknown", "unit_code", value=shown(code)))
    return unit


def _form(catalogue: Catalogue, code: str, unit: Unit | None, problems: list[Problem]) -> Form | None:
    if not _present(code, "form", problems):
        return None
    form = catalogue.forms.get(code)
    if form is None:
        allowed = ", ".join(f"{f.code} ({f.name_vi})" for f in catalogue.forms.values())
        problems.append(problem("form.unknown", "form", value=shown(code), allowed=allowed))
    elif unit is not None and not _files(unit, form):
        problems.append(
            problem(
                "form.not_for_unit", "form", unit=unit_label(unit), form=form.code, form_name=form.name_vi
            )
        )
    return form


def _files(unit: Unit, form: Form) -> bool:
    """Communes and wards file their kinds' forms; agencies' forms are about the province."""
    if unit.kind is UnitKind.PROVINCE:
        return form.for_province
    return unit.kind in form.reporter_kinds


def check_period(text: str, form: Form) -> Period | list[Problem]:
    """The period of `form` that `text` names, or why not (malformed, wrong type, not a one-off's)."""
    problems: list[Problem] = []
    period = _period(text, form, problems)
    return problems if period is None else period


def _period(text: str, form: Form | None, problems: list[Problem]) -> Period | None:
    if not _present(text, "period", problems):
        return None
    try:
        period = Period.parse(text)
    except PeriodError:
        problems.append(problem("period.malformed", "period", value=shown(text)))
        return None
    if form is not None and period.type is not form.period_type:
        expected, example = PERIOD_TYPE_NAMES.get(form.period_type.value, (form.period_type.value, ""))
        problems.append(
            problem(
                "period.wrong_type",
                "period",
                value=shown(text),
                form=form.code,
                expected=expected,
                example=example,
            )
        )
        return None
    if form is not None and form.periods and str(period) not in form.periods:
        allowed = ", ".join(form.periods)
        problems.append(
            problem("period.not_for_form", "period", form=form.code, allowed=allowed, value=shown(text))
        )
        return None
    return period


def _values(
    catalogue: Catalogue, s: Submission, unit: Unit | None, form: Form | None, problems: list[Problem]
) -> dict[str, ValidatedValue]:
    submitted = s.values if isinstance(s.values, Mapping) else {}
    if not isinstance(s.values, Mapping):
        problems.append(
            problem(
                "field.invalid",
                "values",
                subject=describe_field("values"),
                reason="cần là một nhóm số liệu theo từng chỉ tiêu (mã chỉ tiêu: số đạt và tổng số)",
            )
        )
    well_formed: dict[str, IndicatorValue] = {}
    for code, value in submitted.items():
        if form is not None and code not in form.indicators:
            problems.append(
                problem(
                    "indicator.unknown",
                    f"values.{shown(code)}",
                    value=indicator_label(str(code)),
                    form=form.code,
                    allowed=", ".join(indicator_label(c) for c in form.indicators),
                )
            )
        elif _well_formed(str(code), value, problems) and _plausible(unit, str(code), value, problems):
            well_formed[code] = value
    if form is None:
        return {}
    out: dict[str, ValidatedValue] = {}
    for code in form.indicators:
        if code not in submitted:
            indicator = catalogue.indicators.get(code)
            problems.append(
                problem(
                    "indicator.missing",
                    f"values.{code}",
                    indicator=indicator_label(code),
                    name=indicator.name_vi if indicator else code,
                    form=form.code,
                )
            )
        elif code in well_formed:
            checked = _resolve(catalogue, unit, code, well_formed[code], problems)
            if checked is not None:
                out[code] = checked
    return out


def _well_formed(code: str, value: object, problems: list[Problem]) -> bool:
    """Whole numbers from 0 to MAX_FIGURE (the numerator required, the denominator optional)."""
    field = f"values.{shown(code)}"
    if not isinstance(value, IndicatorValue):
        problems.append(
            problem("field.invalid", field, subject=describe_field(field), reason="cần có số đạt và tổng số")
        )
        return False
    ok = True
    for name, amount in (("numerator", value.numerator), ("denominator", value.denominator)):
        if amount is None:
            if name == "numerator":
                path = f"{field}.{name}"
                problems.append(problem("field.missing", path, subject=describe_field(path)))
                ok = False
        else:
            ok = _whole(f"{field}.{name}", amount, problems) and ok
    for part, amount in (value.parts or {}).items():
        ok = _whole(f"{field}.parts.{shown(part)}", amount, problems) and ok
    return ok


def _whole(path: str, amount: object, problems: list[Problem]) -> bool:
    if isinstance(amount, bool) or not isinstance(amount, int):
        problems.append(problem("value.not_integer", path, subject=describe_field(path)))
    elif amount < 0:
        problems.append(problem("value.negative", path, subject=describe_field(path)))
    elif amount > MAX_FIGURE:
        problems.append(
            problem("value.too_large", path, subject=describe_field(path), limit=number(MAX_FIGURE))
        )
    else:
        return True
    return False


def _plausible(unit: Unit | None, code: str, value: IndicatorValue, problems: list[Problem]) -> bool:
    """No figure above POPULATION_MARGIN times the unit's population (when the catalogue has it)."""
    if unit is None or not unit.population:
        return True
    ceiling = unit.population * POPULATION_MARGIN
    field = f"values.{shown(code)}"
    figures = [(f"{field}.numerator", value.numerator), (f"{field}.denominator", value.denominator)]
    figures += [(f"{field}.parts.{shown(p)}", a) for p, a in (value.parts or {}).items()]
    ok = True
    for path, amount in figures:
        if amount is not None and amount > ceiling:
            problems.append(
                problem(
                    "value.above_population",
                    path,
                    subject=describe_field(path),
                    amount=number(amount),
                    margin=POPULATION_MARGIN,
                    unit=unit_label(unit),
                    population=number(unit.population),
                )
            )
            ok = False
    return ok


def _resolve(
    catalogue: Catalogue, unit: Unit | None, code: str, value: IndicatorValue, problems: list[Problem]
) -> ValidatedValue | None:
    """By the indicator's measure: a yes/no is 1/1 or 0/1; a count has no denominator; a ratio
    below."""
    indicator = catalogue.indicators[code]
    label = indicator_label(code)
    if indicator.measure is Measure.YES_NO:
        if value.numerator in (0, 1) and value.denominator in (None, 1) and not value.parts:
            return ValidatedValue(value.numerator, 1, False)
        problems.append(problem("value.yes_no_invalid", f"values.{code}.numerator", indicator=label))
        return None
    if indicator.measure is Measure.COUNT:
        if value.denominator is None and not value.parts:
            return ValidatedValue(value.numerator, 0, False)
        problems.append(problem("value.count_has_denominator", f"values.{code}.denominator", indicator=label))
        return None
    ratio = _ratio(catalogue, unit, code, value, problems)
    if ratio is None or not indicator.parts:
        return ratio
    parts = _parts(indicator.parts, code, value, ratio, problems)
    return (
        None
        if parts is None
        else ValidatedValue(ratio.numerator, ratio.denominator, ratio.denominator_estimated, parts)
    )


def _parts(
    names: tuple[str, ...], code: str, value: IndicatorValue, ratio: ValidatedValue, problems: list[Problem]
) -> dict[str, int] | None:
    """Each part ≤ the denominator; the numerator between the largest part and their sum."""
    field, label = f"values.{code}", indicator_label(code)
    given = dict(value.parts or {})
    listed = ", ".join(PART_NAMES.get(n, n) for n in names)
    ok = True
    for unknown in sorted(set(given) - set(names)):
        problems.append(
            problem(
                "value.part_unknown",
                f"{field}.parts.{shown(unknown)}",
                value=shown(unknown),
                indicator=label,
                parts=listed,
            )
        )
        ok = False
    missing = [n for n in names if n not in given]
    if missing:
        problems.append(
            problem(
                "value.parts_missing",
                f"{field}.parts",
                indicator=label,
                parts=listed,
                missing=", ".join(PART_NAMES.get(n, n) for n in missing),
            )
        )
        ok = False
    for name in names:
        if given.get(name, 0) > ratio.denominator:
            problems.append(
                problem(
                    "value.part_above_denominator",
                    f"{field}.parts.{name}",
                    part=PART_NAMES.get(name, name),
                    amount=number(given[name]),
                    indicator=label,
                    denominator=number(ratio.denominator),
                )
            )
            ok = False
    if not ok:
        return None
    low, high = max(given[n] for n in names), sum(given[n] for n in names)
    if not low <= ratio.numerator <= high:
        problems.append(
            problem(
                "value.parts_inconsistent",
                f"{field}.numerator",
                numerator=number(ratio.numerator),
                indicator=label,
                low=number(low),
                high=number(high),
            )
        )
        return None
    return {n: given[n] for n in names}


def _ratio(
    catalogue: Catalogue, unit: Unit | None, code: str, value: IndicatorValue, problems: list[Problem]
) -> ValidatedValue | None:
    """Fill a missing denominator from the reference, then check numerator ≤ denominator > 0."""
    field, label = f"values.{code}", indicator_label(code)
    reference = catalogue.reference_denominator(unit.code, code) if unit is not None else None
    reference = reference or None  # a reference of 0 is no reference
    denominator, estimated = value.denominator, False
    if denominator is None:
        if unit is None:
            return None  # the unit is already reported unknown: nothing to estimate from
        if reference is None:
            problems.append(
                problem(
                    "value.denominator_missing",
                    f"{field}.denominator",
                    indicator=label,
                    unit=unit_label(unit),
                )
            )
            return None
        denominator, estimated = reference, True
    elif denominator == 0:
        problems.append(problem("value.denominator_zero", f"{field}.denominator", indicator=label))
        return None
    elif reference is not None and not (
        FAR_BELOW_REFERENCE * reference <= denominator <= FAR_ABOVE_REFERENCE * reference
    ):
        problems.append(
            problem(
                "value.denominator_far_from_reference",
                f"{field}.denominator",
                indicator=label,
                denominator=number(denominator),
                reference=number(reference),
            )
        )
    if value.numerator > denominator:
        problems.append(
            problem(
                "value.numerator_above_denominator",
                f"{field}.numerator",
                numerator=number(value.numerator),
                indicator=label,
                denominator=number(denominator),
                note=ESTIMATE_NOTE if estimated else "",
            )
        )
        return None
    if estimated:
        indicator = catalogue.indicators.get(code)
        basis = indicator.denominator_basis if indicator else None
        problems.append(
            problem(
                "value.denominator_estimated",
                f"{field}.denominator",
                indicator=label,
                denominator=number(denominator),
                basis=BASIS_NAMES.get(basis or "", "ước tính theo dân số"),
            )
        )
    return ValidatedValue(value.numerator, denominator, estimated)
