"""Completeness per group (docs/kpi-rules.md): counts, rates, units not expected, groups without units."""

from __future__ import annotations

import pytest

from kpi.domain.completeness import ExpectedUnit, ReportState, completeness, state_of

EXPECTED = [ExpectedUnit("001", "xa"), ExpectedUnit("002", "xa"), ExpectedUnit("003", "phuong")]


def test_counts_and_rates_per_group() -> None:
    groups = {g.group: g for g in completeness(EXPECTED, {"001": True, "003": False, "999": True})}
    whole = groups["province"]
    assert (whole.expected, whole.received, whole.on_time, whole.late, whole.missing) == (3, 2, 1, 1, 1)
    assert whole.reporting_rate == pytest.approx(2 / 3) and whole.on_time_rate == pytest.approx(1 / 3)
    assert (groups["xa"].received, groups["xa"].missing) == (1, 1)  # 999 is not expected: not counted
    assert (groups["phuong"].on_time, groups["phuong"].late) == (0, 1)


def test_an_agency_form_has_the_province_group_only_and_no_rate_without_units() -> None:
    assert [g.group for g in completeness([ExpectedUnit("24", "province")], {})] == ["province"]
    empty = completeness([], {})[0]
    assert (empty.expected, empty.reporting_rate, empty.on_time_rate) == (0, None, None)


def test_the_state_of_a_unit() -> None:
    states = [state_of(code, {"001": True, "002": False}) for code in ("001", "002", "003")]
    assert states == [ReportState.ON_TIME, ReportState.LATE, ReportState.MISSING]
