"""An independent recomputation of the projections from intake's stored reports.

It reads intake's tables (a test may; services may not) and applies the pure
KPI rules, so it checks the whole pipeline: events, consumer, observation store.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

import asyncpg

from bdhvs_shared.catalogue import Catalogue
from kpi.domain.observation import Observation
from kpi.domain.projection import Projection, project
from kpi.domain.rollup import as_observations, rollup_series
from kpi.domain.target import Comparator, Target


async def latest_values(db: asyncpg.Connection) -> dict[tuple[str, str], list[Observation]]:
    """(unit, indicator) → observations of each report's latest revision, by as_of."""
    rows = await db.fetch(
        """
        SELECT r.unit_code, r.as_of, v.values
        FROM intake.reports r
        JOIN intake.report_revisions v ON v.report_id = r.id AND v.revision = r.latest_revision
        ORDER BY r.as_of
        """
    )
    series: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for row in rows:
        for indicator, value in json.loads(row["values"]).items():
            series[(row["unit_code"], indicator)].append(
                Observation(row["as_of"], value["numerator"], value["denominator"])
            )
    return dict(series)


def target(catalogue: Catalogue, indicator: str, today: date) -> Target:
    spec = catalogue.indicators[indicator].target_for(today)
    assert spec is not None
    return Target(spec.value, Comparator(spec.comparator.value), spec.due)


def expected_projections(
    catalogue: Catalogue, series: dict[tuple[str, str], list[Observation]], today: date
) -> dict[tuple[str, str], tuple[Projection, int]]:
    """(unit, indicator) → (projection, units_reporting), the province (24) included."""
    out: dict[tuple[str, str], tuple[Projection, int]] = {}
    by_indicator: dict[str, dict[str, list[Observation]]] = defaultdict(dict)
    for (unit, indicator), observations in series.items():
        out[(unit, indicator)] = (
            project(observations, target(catalogue, indicator, today), today),
            1,
        )
        by_indicator[indicator][unit] = observations
    for indicator, units in by_indicator.items():
        points = rollup_series(units)
        projection = project(as_observations(points), target(catalogue, indicator, today), today)
        out[(catalogue.province.code, indicator)] = (projection, points[-1].units_reporting)
    return out


def differences(
    expected: dict[tuple[str, str], tuple[Projection, int]], live: list[dict[str, Any]]
) -> list[str]:
    found = {(r["unit_code"], r["indicator"]): r for r in live}
    problems = [f"missing {key}" for key in expected if key not in found]
    problems += [f"unexpected {key}" for key in found if key not in expected]
    for key, (projection, reporting) in expected.items():
        row = found.get(key)
        if row is None:
            continue
        pairs = {
            "numerator": (projection.numerator, row["numerator"]),
            "denominator": (projection.denominator, row["denominator"]),
            "status": (projection.status.value, row["status"]),
            "units_reporting": (reporting, row["units_reporting"]),
        }
        for name, (want, got) in pairs.items():
            if want != got:
                problems.append(f"{key} {name}: expected {want}, live {got}")
        for name, want in (
            ("attainment", projection.attainment),
            ("projected", projection.projected),
        ):
            got = row[name]
            if (want is None) != (got is None) or (want is not None and abs(want - got) > 1e-9):
                problems.append(f"{key} {name}: expected {want}, live {got}")
    return problems
