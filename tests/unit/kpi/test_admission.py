"""kpi applies no report whose figures are dated in the future (defence in depth behind intake)."""

from __future__ import annotations

from datetime import date

from kpi.domain.admission import FUTURE_CODE, future_reason

TODAY = date(2026, 12, 3)


def test_figures_up_to_tomorrow_are_admitted() -> None:
    for as_of in (date(2026, 1, 14), TODAY, date(2026, 12, 4)):
        assert future_reason(as_of, TODAY) is None


def test_figures_dated_after_tomorrow_are_refused_with_the_reason() -> None:
    reason = future_reason(date(2099, 12, 14), TODAY)
    assert reason is not None and reason.startswith(FUTURE_CODE)
    assert "14/12/2099" in reason and "04/12/2026" in reason
    assert future_reason(date(2026, 12, 5), TODAY) is not None  # the day after tomorrow already


def test_the_grace_intake_allows_moves_kpis_bound_with_it() -> None:
    """With REPORT_EARLY_DAYS=5 intake accepts 2026-12 (as of 14/12) from 9/12; kpi must apply it then."""
    assert future_reason(date(2026, 12, 14), date(2026, 12, 8), early_days=5) is None
    assert future_reason(date(2026, 12, 14), date(2026, 12, 7), early_days=5) is not None
