""" "Báo cáo của tôi": which periods of which forms a unit owes now, their deadlines and states (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Catalogue, Form, Period, Unit, form_deadline, reportable_from
from bdhvs_shared.catalogue.calendar import as_of_date
from bdhvs_shared.catalogue.periods import containing, previous

PERIODS_SHOWN = 3  # the period open now and the two before it…
LOOKBACK_DAYS = 370  # …of the last year: older periods are the province's business, not today's list


class DueState(StrEnum):
    ON_TIME = "on_time"  # đã nộp đúng hạn
    LATE = "late"  # nộp muộn
    OPEN = "open"  # chưa nộp, còn hạn
    OVERDUE = "overdue"  # chưa nộp, quá hạn

    @property
    def label(self) -> str:
        return {
            DueState.ON_TIME: "Đã nộp đúng hạn",
            DueState.LATE: "Nộp muộn",
            DueState.OPEN: "Chưa nộp",
            DueState.OVERDUE: "Chưa nộp (quá hạn)",
        }[self]


@dataclass(frozen=True)
class Submitted:
    """What intake says of a report (GET /api/v1/reports)."""

    report_id: str
    on_time: bool
    latest_revision: int


@dataclass(frozen=True)
class DuePeriod:
    form: Form
    period: Period
    deadline: datetime
    state: DueState
    left: timedelta | None  # time left before the deadline while open
    report: Submitted | None


def open_periods(form: Form, today: date, early_days: int = 0, count: int = PERIODS_SHOWN) -> list[Period]:
    """The latest periods that may be reported today, newest first (a one-off form: its own periods)."""
    if form.periods:
        chosen = [Period.parse(p) for p in form.periods]
        return [p for p in chosen if reportable_from(as_of_date(p, form.as_of_day), early_days) <= today]
    period = containing(form.period_type, today)
    while reportable_from(as_of_date(period, form.as_of_day), early_days) > today:
        period = previous(period)
    out = [period]
    while len(out) < count:
        out.append(previous(out[-1]))
    return [p for p in out if (today - as_of_date(p, form.as_of_day)).days <= LOOKBACK_DAYS]


def forms_for(catalogue: Catalogue, unit: Unit, agency: str | None = None) -> list[Form]:
    """A commune's or ward's forms; for the province, the forms this agency files."""
    if unit.code == catalogue.province.code:
        return [f for f in catalogue.forms.values() if agency in f.agencies]
    return [f for f in catalogue.forms.values() if unit.kind in f.reporter_kinds]


def due_list(
    catalogue: Catalogue,
    unit: Unit,
    submitted: Mapping[tuple[str, str], Submitted],
    now: datetime,
    tz: ZoneInfo,
    deadline_inclusive: bool = False,
    early_days: int = 0,
    agency: str | None = None,
) -> list[DuePeriod]:
    """Every form the unit files, each with its open periods and their state; open ones first."""
    today = now.astimezone(tz).date()
    out: list[DuePeriod] = []
    for form in forms_for(catalogue, unit, agency):
        for period in open_periods(form, today, early_days):
            cutoff = form_deadline(form, period, tz, deadline_inclusive)
            report = submitted.get((form.code, str(period)))
            if report is not None:
                state = DueState.ON_TIME if report.on_time else DueState.LATE
            else:
                state = DueState.OPEN if now < cutoff else DueState.OVERDUE
            left = cutoff - now if state is DueState.OPEN else None
            out.append(DuePeriod(form, period, cutoff, state, left, report))
    urgency = {DueState.OVERDUE: 0, DueState.OPEN: 1, DueState.LATE: 2, DueState.ON_TIME: 3}
    return sorted(out, key=lambda d: (urgency[d.state], d.deadline))


def submitted_index(rows: Iterable[Mapping[str, object]]) -> dict[tuple[str, str], Submitted]:
    """intake's report summaries by (form, period)."""
    return {
        (str(r["form"]), str(r["period"])): Submitted(
            str(r["report_id"]), bool(r["on_time"]), int(str(r["latest_revision"]))
        )
        for r in rows
    }
