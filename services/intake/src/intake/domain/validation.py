"""Form rules: a submission against the catalogue, every problem at once.

`validate_submission` never stops at the first problem: it reports every error it can find (and
the warnings) so that a clerk fixes a report in one go. Checks that depend on something already
wrong are skipped rather than reported twice (e.g. no "missing indicator" when the form is unknown,
no "no reference population" when the unit is unknown). Here: the unit, the form and the period;
the figures are checked in `figures.py` and, by the indicator's measure, in `measures.py`.
"""

from __future__ import annotations

from datetime import date

from bdhvs_shared.catalogue import (
    Catalogue,
    Form,
    Period,
    PeriodError,
    Unit,
    UnitKind,
    as_of_date,
    reportable_from,
)
from intake.domain.figures import check_values
from intake.domain.labels import PERIOD_TYPE_NAMES, describe_field, shown, unit_label
from intake.domain.problems import Problem, Severity, problem
from intake.domain.submissions import Submission, ValidReport


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
    values = check_values(catalogue, s, unit, form, problems)
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
