"""The read API's pure shapes: sorting with empty cells, the ranking's tie-breaks, history points."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bdhvs_shared.catalogue import load_catalogue
from kpi.domain.history import unit_history
from kpi.domain.observation import Observation
from kpi.domain.projection import ProjectionRules
from kpi.domain.projector import Projector
from kpi.domain.read_models import ranking, sort_rows

PROJECTOR = Projector(load_catalogue(), ProjectionRules())


def test_empty_cells_sort_last_in_both_orders_and_the_pinned_row_stays_first() -> None:
    rows = [
        {"unit_code": "24", "x": 0.1},
        {"unit_code": "3", "x": None},
        {"unit_code": "2", "x": 0.5},
        {"unit_code": "1", "x": 0.5},
        {"unit_code": "0", "x": 0.9},
    ]
    assert [r["unit_code"] for r in sort_rows(rows, "x", True, pinned=1)] == ["24", "0", "1", "2", "3"]
    assert [r["unit_code"] for r in sort_rows(rows, "x", False, pinned=1)] == ["24", "1", "2", "0", "3"]


def test_ranking_leaves_out_the_province_and_units_without_attainment() -> None:
    snapshot = PROJECTOR.unit_snapshot(
        "09313", "c", [Observation(date(2026, 3, 14), 5000, 10000)], date(2026, 3, 20)
    )
    empty = PROJECTOR.unit_snapshot("09292", "c", [], date(2026, 3, 20))
    province = replace(snapshot, unit_code="24")
    zero = PROJECTOR.unit_snapshot("09193", "c", [Observation(date(2026, 3, 14), 0, 0)], date(2026, 3, 20))
    assert [r["unit_code"] for r in ranking(PROJECTOR, [empty, province, zero, snapshot], None)] == ["09313"]


def test_each_history_point_is_judged_as_it_stood_that_day() -> None:
    series = [Observation(date(2025, 12, 14), 8500, 10000), Observation(date(2026, 1, 14), 8600, 10000)]
    points = unit_history(PROJECTOR, "c", series)
    assert [(p.status, p.target_value) for p in points] == [("achieved", 0.8), ("at_risk", 1.0)]
