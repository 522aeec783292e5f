"""Figures of the indicators the monthly and weekly forms do not carry (the quarterly, six-monthly and
annual commune forms, the enterprise form, any form the catalogue adds): one rule per kind of
indicator, read from the catalogue (measure, denominator basis, cumulative), seeded per unit.

A ratio climbs with the campaign's progress (from July 2025 over 18 months) from a per-unit start;
its denominator is the unit's population times the indicator's age share, or a share of it for
bases the catalogue does not give (households, workers, digital ambassadors). A yes/no indicator
switches to yes once, at a per-unit moment. A count is a small number.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from bdhvs_local.demo.profiles import share
from bdhvs_shared.catalogue import Catalogue, Measure

CAMPAIGN = date(2025, 7, 1)  # the communes' first day; progress runs from 0 then to 1 in 540 days
# Denominators with no age share in the catalogue: a share of the unit's population.
POPULATION_SHARES = {"gia_dinh_so": 1 / 3.6, "dd": 0.09, "dai_su_so": 0.0015}
OTHER_SHARE = 0.05


def progress(as_of: date) -> float:
    return max(0.0, min(1.0, (as_of - CAMPAIGN).days / 540))


def values(
    catalogue: Catalogue, codes: tuple[str, ...], people: int, as_of: date, seed: str
) -> dict[str, Any]:
    """The figures of these indicators for a unit of `people` on `as_of` (same seed, same figures)."""
    return {code: value(catalogue, code, people, as_of, f"{seed}-{code}") for code in codes}


def value(catalogue: Catalogue, code: str, people: int, as_of: date, seed: str) -> dict[str, Any]:
    indicator, p = catalogue.indicators[code], progress(as_of)
    unit_rng = random.Random(seed)
    if indicator.measure is Measure.YES_NO:
        return {"numerator": int(p > unit_rng.uniform(0.0, 0.6)), "denominator": 1}
    if indicator.measure is Measure.COUNT:
        return {"numerator": 1 + random.Random(f"{seed}-{as_of}").randint(0, 4)}
    basis = indicator.denominator_basis
    if basis is not None and basis in catalogue.age_shares:
        denominator = round(people * catalogue.age_shares[basis] / 100)
    else:
        denominator = max(5, round(people * POPULATION_SHARES.get(code, OTHER_SHARE)))
    start = unit_rng.uniform(0.25, 0.55)
    level = start + (0.95 - start) * p
    if not indicator.cumulative:  # a share of this period: wobbles a little around the trend
        level += random.Random(f"{seed}-{as_of}").uniform(-0.04, 0.04)
    figure: dict[str, Any] = {
        "numerator": share(denominator, max(0.0, min(level, 1.0))),
        "denominator": denominator,
    }
    if indicator.parts:
        weights = [unit_rng.uniform(0.1, 0.7) for _ in indicator.parts]
        figure["parts"] = {
            part: round(figure["numerator"] * w) for part, w in zip(indicator.parts, weights, strict=True)
        }
    return figure
