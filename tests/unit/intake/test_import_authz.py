"""A clerk's file naming another unit is refused as forbidden (403) whatever else is wrong with it:
found by the authz sweep (issue 16), where such a file answered 422 because its rows were checked first."""

from __future__ import annotations

import uuid
from datetime import date

from bdhvs_shared.catalogue import load_catalogue
from intake.domain.imports import ImportPlan, Refusal, forbidden_rows, plan_import
from intake.domain.principal import Principal, Role
from intake.domain.tabular import columns

CATALOGUE = load_catalogue()
KEYS = [c.key for c in columns(CATALOGUE, CATALOGUE.forms["monthly"])]
CLERK = Principal(uuid.uuid4(), Role.COMMUNE, "09313")
TODAY = date(2026, 3, 20)


def _plan(rows: list[tuple[int, dict[str, object]]], period: str = "2026-03") -> ImportPlan | Refusal:
    return plan_import(CATALOGUE, CLERK, "Báo cáo", KEYS, rows, "monthly", period, 500, TODAY)


def test_another_units_row_refuses_the_file_as_forbidden_before_its_figures_are_read() -> None:
    rows: list[tuple[int, dict[str, object]]] = [
        (2, {"unit_code": "09313", "c.numerator": "khong phai so"}),
        (3, {"unit_code": "09292", "c.numerator": -5}),
        (4, {"unit_code": 9292.0}),  # Excel's number for 09292: still another unit
    ]
    for period in ("2026-03", "2099-12", "khong-co"):  # a bad or future period: still 403
        refused = _plan(rows, period)
        assert isinstance(refused, Refusal) and refused.forbidden, period
        assert [(p.problem.code, p.row) for p in refused.problems] == [
            ("auth.forbidden_unit", 3),
            ("auth.forbidden_unit", 4),
        ]
        assert "09292" in refused.problems[0].problem.message


def test_the_clerks_own_rows_are_checked_as_before() -> None:
    refused = _plan([(2, {"unit_code": "09313", "c.numerator": "khong phai so"}), (3, {})])
    assert isinstance(refused, Refusal) and not refused.forbidden


def test_a_clerks_csv_about_another_unit_is_forbidden_before_its_form_is_known() -> None:
    """The route checks this before agreeing the form and period (a CSV carries neither)."""
    rows: list[tuple[int, dict[str, object]]] = [(2, {"unit_code": "09313"}), (3, {"unit_code": "09292"})]
    found = forbidden_rows(CATALOGUE, CLERK, None, "CSV", rows)
    assert [(p.problem.code, p.row) for p in found] == [("auth.forbidden_unit", 3)]
    operator = Principal(uuid.uuid4(), Role.OPERATOR, None)
    assert forbidden_rows(CATALOGUE, operator, None, "CSV", rows) == []
