"""The figures of a submission, indicator by indicator: the form's indicators present, each figure a
whole number in range and plausible for the unit; then each checked by its measure (`measures.py`).
"""

from __future__ import annotations

from collections.abc import Mapping

from bdhvs_shared.catalogue import Catalogue, Form, Unit
from bdhvs_shared.events import MAX_FIGURE
from intake.domain.labels import describe_field, indicator_label, number, shown, unit_label
from intake.domain.measures import by_measure
from intake.domain.problems import Problem, problem
from intake.domain.submissions import IndicatorValue, Submission, ValidatedValue

# A figure above this many times the unit's population is refused: no commune has ten times as many
# people, workers or students as residents, and one such typo would swamp the province's sums.
POPULATION_MARGIN = 10


def check_values(
    catalogue: Catalogue, s: Submission, unit: Unit | None, form: Form | None, problems: list[Problem]
) -> dict[str, ValidatedValue]:
    """Each indicator of the form: present, well-formed, plausible, then checked by its measure."""
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
            checked = by_measure(catalogue, unit, code, well_formed[code], problems)
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
