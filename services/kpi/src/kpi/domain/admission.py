"""Which reports kpi folds into its projections: none whose figures are dated after tomorrow.

Defence in depth: intake refuses periods in the future, but a report that got through anyway
(a bug, a wrong clock, a hand-published event) would move every snapshot it touches, the
province's too, to an as-of day that has not come (a far-future period judged against a target
date already past: `achieved`). Such a report is refused whole, with this reason, and changes
nothing. "Tomorrow" (the local day after kpi's today) leaves a day of slack for clocks and time
zones. The same rule serves the consumer (one by one and in batches), `kpi rebuild` and
`kpi verify`.
"""

from __future__ import annotations

from datetime import date, timedelta

FUTURE_CODE = "report.as_of_in_future"


def latest_admissible(today: date) -> date:
    """The last as-of day kpi accepts on `today` (local): tomorrow."""
    return today + timedelta(days=1)


def future_reason(as_of: date, today: date) -> str | None:
    """Why a report with figures as of `as_of` cannot be applied on `today`; None when it can."""
    latest = latest_admissible(today)
    if as_of <= latest:
        return None
    return (
        f"{FUTURE_CODE}: số liệu tính đến ngày {as_of:%d/%m/%Y}, sau ngày mai ({latest:%d/%m/%Y}); "
        "báo cáo không được áp dụng"
    )
