"""A target: a value, a comparator and a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# Attainments are ratios of integers and projections are sums of floats: compare
# with a tolerance far below any displayed precision (0.01 pp), so that a value that
# is 80 % on paper (8000/10000, or 0.79 + a slope × days) counts as exactly 80 %:
# met for ">=", not met for ">", whichever way the last bit of rounding fell.
EPSILON = 1e-9


class Comparator(StrEnum):
    GT = ">"  # "trên 80 %": strictly above
    GE = ">="  # "80 %", "100 %": at least


@dataclass(frozen=True)
class Target:
    value: float  # fraction in [0, 1]
    comparator: Comparator
    due: date

    def is_met_by(self, attainment: float) -> bool:
        # == rather than `is`: a plain ">" string read from storage must still mean GT.
        if self.comparator == Comparator.GT:
            return attainment > self.value + EPSILON
        return attainment >= self.value - EPSILON

    def shortfall(self, attainment: float) -> float:
        """How far below the target value, as a fraction (0 when at or above)."""
        return max(0.0, self.value - attainment)
