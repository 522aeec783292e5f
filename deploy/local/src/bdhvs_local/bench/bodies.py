"""What the bench sends: a report per commune and month of a year, each with new figures."""

from __future__ import annotations

import itertools
from typing import Any

# The bench's reports cover every month of 2025-2027 (Bodies, rebuild): intake refuses a period
# whose as-of day is still ahead and kpi dead-letters one, so its stack runs as if it were January 2028.
CLOCK_START = "2028-01-10T09:00:00+07:00"


def units() -> list[str]:
    from bdhvs_shared.catalogue import load_catalogue

    return sorted(load_catalogue().units)


class Bodies:
    """Reports over every commune and month of a year, each with new figures.

    Only a report that changes a projection publishes a KPI event (a revision of a
    month outside the pace window changes none), so the latency run uses a year no
    report has touched yet: each of its reports moves a unit's latest observation.
    """

    def __init__(self, year: int, codes: list[str] | None = None) -> None:
        periods = [f"{year}-{m:02d}" for m in range(1, 13)]
        self._pairs = itertools.cycle(itertools.product(periods, codes or units()))
        self._serial = 0

    def take(self, count: int) -> list[dict[str, Any]]:
        return [self._one() for _ in range(count)]

    def every_unit(self, codes: list[str], period: str) -> list[dict[str, Any]]:
        """One report of `period` per unit (`bench --units`: every unit's monthly report)."""
        return [self._one(period, unit) for unit in codes]

    def _one(self, period: str | None = None, unit: str | None = None) -> dict[str, Any]:
        if period is None or unit is None:
            period, unit = next(self._pairs)
        self._serial += 1
        n = 1000 + self._serial % 8000
        values = {"c": {"numerator": n, "denominator": 10000}, "d": {"numerator": n, "denominator": 10000}}
        # confirm: the figures cycle, so the history checks (a falling cumulative figure) would refuse them.
        return {"unit_code": unit, "form": "monthly", "period": period, "values": values, "confirm": True}
