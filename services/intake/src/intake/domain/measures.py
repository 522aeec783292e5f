"""A well-formed figure checked by its indicator's measure: a yes/no is 1/1 or 0/1, a count has no
denominator, a ratio has numerator ≤ denominator > 0 (a missing denominator estimated from the
unit's reference), and an indicator with parts has every part, each ≤ the denominator.
"""

from __future__ import annotations

from bdhvs_shared.catalogue import Catalogue, Measure, Unit
from intake.domain.labels import BASIS_NAMES, PART_NAMES, indicator_label, number, shown, unit_label
from intake.domain.problems import ESTIMATE_NOTE, Problem, problem
from intake.domain.submissions import IndicatorValue, ValidatedValue

# A given denominator below half or above twice the reference is flagged (warning) as a likely typo.
FAR_BELOW_REFERENCE = 0.5
FAR_ABOVE_REFERENCE = 2.0


def by_measure(
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


def _ratio(
    catalogue: Catalogue, unit: Unit | None, code: str, value: IndicatorValue, problems: list[Problem]
) -> ValidatedValue | None:
    """Fill a missing denominator from the reference, then check numerator ≤ denominator > 0."""
    resolved = _denominator(catalogue, unit, code, value, problems)
    if resolved is None:
        return None
    denominator, estimated = resolved
    if value.numerator > denominator:
        problems.append(
            problem(
                "value.numerator_above_denominator",
                f"values.{code}.numerator",
                numerator=number(value.numerator),
                indicator=indicator_label(code),
                denominator=number(denominator),
                note=ESTIMATE_NOTE if estimated else "",
            )
        )
        return None
    if estimated:
        problems.append(_estimated(catalogue, code, denominator))
    return ValidatedValue(value.numerator, denominator, estimated)


def _denominator(
    catalogue: Catalogue, unit: Unit | None, code: str, value: IndicatorValue, problems: list[Problem]
) -> tuple[int, bool] | None:
    """The denominator given (> 0), or else the unit's reference: (denominator, estimated), or None.
    A given one far from the reference is kept, with a warning."""
    field, label = f"values.{code}.denominator", indicator_label(code)
    reference = catalogue.reference_denominator(unit.code, code) if unit is not None else None
    reference = reference or None  # a reference of 0 is no reference
    if value.denominator is None:
        if unit is None:
            return None  # the unit is already reported unknown: nothing to estimate from
        if reference is None:
            problems.append(
                problem("value.denominator_missing", field, indicator=label, unit=unit_label(unit))
            )
            return None
        return reference, True
    if value.denominator == 0:
        problems.append(problem("value.denominator_zero", field, indicator=label))
        return None
    if reference is not None and not (
        FAR_BELOW_REFERENCE * reference <= value.denominator <= FAR_ABOVE_REFERENCE * reference
    ):
        problems.append(
            problem(
                "value.denominator_far_from_reference",
                field,
                indicator=label,
                denominator=number(value.denominator),
                reference=number(reference),
            )
        )
    return value.denominator, False


def _estimated(catalogue: Catalogue, code: str, denominator: int) -> Problem:
    """The warning that the denominator is the reference's estimate, and what it is based on."""
    indicator = catalogue.indicators.get(code)
    basis = indicator.denominator_basis if indicator else None
    return problem(
        "value.denominator_estimated",
        f"values.{code}.denominator",
        indicator=indicator_label(code),
        denominator=number(denominator),
        basis=BASIS_NAMES.get(basis or "", "ước tính theo dân số"),
    )


def _parts(
    names: tuple[str, ...], code: str, value: IndicatorValue, ratio: ValidatedValue, problems: list[Problem]
) -> dict[str, int] | None:
    """Each part ≤ the denominator; the numerator between the largest part and their sum."""
    given = dict(value.parts or {})
    if not _parts_listed(names, code, given, ratio.denominator, problems):
        return None
    low, high = max(given[n] for n in names), sum(given[n] for n in names)
    if not low <= ratio.numerator <= high:
        problems.append(
            problem(
                "value.parts_inconsistent",
                f"values.{code}.numerator",
                numerator=number(ratio.numerator),
                indicator=indicator_label(code),
                low=number(low),
                high=number(high),
            )
        )
        return None
    return {n: given[n] for n in names}


def _parts_listed(
    names: tuple[str, ...], code: str, given: dict[str, int], denominator: int, problems: list[Problem]
) -> bool:
    """Every part of the indicator given, no other, none above the denominator."""
    field, label = f"values.{code}", indicator_label(code)
    listed = ", ".join(PART_NAMES.get(n, n) for n in names)
    found = [
        problem(
            "value.part_unknown",
            f"{field}.parts.{shown(unknown)}",
            value=shown(unknown),
            indicator=label,
            parts=listed,
        )
        for unknown in sorted(set(given) - set(names))
    ]
    missing = [n for n in names if n not in given]
    if missing:
        missed = ", ".join(PART_NAMES.get(n, n) for n in missing)
        found.append(
            problem("value.parts_missing", f"{field}.parts", indicator=label, parts=listed, missing=missed)
        )
    found += [
        problem(
            "value.part_above_denominator",
            f"{field}.parts.{name}",
            part=PART_NAMES.get(name, name),
            amount=number(given[name]),
            indicator=label,
            denominator=number(denominator),
        )
        for name in names
        if given.get(name, 0) > denominator
    ]
    problems += found
    return not found
