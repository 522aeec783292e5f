"""Figures checked against the unit's own history: warnings the clerk must confirm before storing.

- A cumulative figure (people who have the skill, the signature, the identity…) does not fall
  from one period to the next; a drop is usually a typo or last period's mistake.
- A figure far outside the unit's history — attainment moving by more than `JUMP_PP` percentage
  points since the previous report — is flagged as likely wrong.

Both are warnings, not errors: the figure may be a real correction. The report is stored only
when the clerk confirms (`confirm: true`), so nobody stores one by accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from bdhvs_shared.catalogue import Catalogue, Measure
from intake.domain.labels import indicator_label, number
from intake.domain.problems import Problem, problem
from intake.domain.submissions import ValidatedValue

JUMP_PP = 30  # attainment moving by more than this many percentage points in one report


@dataclass(frozen=True)
class Previous:
    """The unit's last figure for an indicator before this report's as-of day."""

    as_of: date
    period: str
    numerator: int
    denominator: int


CONFIRMABLE = frozenset({"value.cumulative_drop", "value.outlier"})


def history_warnings(
    catalogue: Catalogue, values: Mapping[str, ValidatedValue], previous: Mapping[str, Previous]
) -> list[Problem]:
    out: list[Problem] = []
    for code, value in values.items():
        indicator = catalogue.indicators.get(code)
        before = previous.get(code)
        if indicator is None or before is None or indicator.measure is not Measure.RATIO:
            continue
        label, field = indicator_label(code), f"values.{code}.numerator"
        if indicator.cumulative and value.numerator < before.numerator:
            out.append(
                problem(
                    "value.cumulative_drop",
                    field,
                    indicator=label,
                    numerator=number(value.numerator),
                    previous=number(before.numerator),
                    period=before.period,
                )
            )
            continue
        if value.denominator and before.denominator:
            # Exact fractions: 80 % − 50 % is exactly 30 points, not 30.000000000000004.
            now, then = (
                Fraction(value.numerator, value.denominator),
                Fraction(before.numerator, before.denominator),
            )
            if abs(now - then) * 100 > JUMP_PP:
                out.append(
                    problem(
                        "value.outlier",
                        field,
                        indicator=label,
                        now=f"{float(now) * 100:.1f}".replace(".", ","),
                        then=f"{float(then) * 100:.1f}".replace(".", ","),
                        period=before.period,
                        limit=str(JUMP_PP),
                    )
                )
    return out


def needs_confirmation(warnings: list[Problem]) -> bool:
    return any(w.code in CONFIRMABLE for w in warnings)
