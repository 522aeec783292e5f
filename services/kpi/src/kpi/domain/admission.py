"""Which reports kpi folds into its projections: none whose figures are dated in the future.

Defence in depth: intake refuses a period before it opens (`reportable_from`: its as-of day, less
REPORT_EARLY_DAYS), but a report that got through anyway (a bug, a wrong clock, a hand-published
event) would move every snapshot it touches, the province's too, to an as-of day that has not come
(a far-future period judged against a target date already past: `achieved`). Such a report is
refused whole, with this reason, and changes nothing. kpi allows one day more than intake (with no
grace: figures dated tomorrow at the latest), a day of slack for clocks and time zones. The same
rule serves the consumer (one by one and in batches), `kpi rebuild` and `kpi verify`.
"""

from __future__ import annotations

from datetime import date, timedelta

from bdhvs_shared.catalogue import reportable_from

FUTURE_CODE = "report.as_of_in_future"
SLACK = timedelta(days=1)


def future_reason(as_of: date, today: date, early_days: int = 0) -> str | None:
    """Why a report with figures as of `as_of` cannot be applied on `today`; None when it can."""
    opens = reportable_from(as_of, early_days)
    if opens <= today + SLACK:
        return None
    return (
        f"{FUTURE_CODE}: số liệu tính đến ngày {as_of:%d/%m/%Y}, kỳ báo cáo chỉ mở từ ngày "
        f"{opens:%d/%m/%Y}, sau ngày mai ({today + SLACK:%d/%m/%Y}); báo cáo không được áp dụng"
    )
