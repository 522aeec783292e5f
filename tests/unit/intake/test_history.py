"""Figures against the unit's own history: a falling cumulative figure, a jump far from the last one."""

from __future__ import annotations

from datetime import date

from bdhvs_shared.catalogue import load_catalogue
from intake.domain.history import Previous, history_warnings, needs_confirmation
from intake.domain.submissions import ValidatedValue

CATALOGUE = load_catalogue()
MARCH = Previous(date(2026, 3, 14), "2026-03", 9000, 18000)  # 50 %


def warnings(code: str, numerator: int, denominator: int, before: Previous | None = MARCH) -> list[str]:
    values = {code: ValidatedValue(numerator, denominator, False)}
    found = history_warnings(CATALOGUE, values, {code: before} if before else {})
    assert all(not w.message.isascii() and w.field == f"values.{code}.numerator" for w in found)
    return [w.code for w in found]


def test_a_cumulative_figure_that_falls_needs_confirmation() -> None:
    assert warnings("d", 8999, 18000) == ["value.cumulative_drop"]
    assert warnings("d", 9000, 18000) == []
    assert needs_confirmation(
        history_warnings(CATALOGUE, {"d": ValidatedValue(1, 18000, False)}, {"d": MARCH})
    )


def test_a_share_of_the_period_may_fall_but_not_by_more_than_30_points() -> None:
    last_week = Previous(date(2026, 3, 8), "2026-W10", 12, 15)  # 80 %
    assert warnings("lop_hoc_thon", 10, 15, last_week) == []
    assert warnings("lop_hoc_thon", 3, 15, last_week) == ["value.outlier"]


def test_a_jump_of_more_than_30_points_is_an_outlier() -> None:
    assert warnings("d", 14_401, 18000) == ["value.outlier"]  # 50 % → 80.006 %
    assert warnings("d", 14_400, 18000) == []  # exactly 30 points
    assert warnings("d", 9000, 9000) == ["value.outlier"]  # the denominator fell: 50 % → 100 %


def test_no_history_no_warning_and_counts_are_not_judged() -> None:
    assert warnings("d", 1, 18000, before=None) == []
    assert warnings("tin_bai", 0, 0, Previous(date(2026, 3, 8), "2026-W10", 5, 0)) == []
