""" "Báo cáo của tôi": which periods of which forms a unit owes now, their deadlines and states (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Catalogue, Form, Period, Unit, form_due, reportable_from
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
class Deadline:
    """A period's deadline as intake computes it (GET /api/v1/calendar): the working-day rule applied."""

    cut_off: datetime  # on time strictly before it
    last_day: date  # the last day to submit
    reason: str | None = None  # why the calendar moved it (a day off), None when it did not


@dataclass(frozen=True)
class DuePeriod:
    form: Form
    period: Period
    deadline: datetime
    last_day: date
    moved: str | None  # why the last day moved, when it did
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
    deadlines: Mapping[tuple[str, str], Deadline] | None = None,
) -> list[DuePeriod]:
    """Every form the unit files, each with its open periods and their state; open ones first.

    `deadlines` are intake's (its calendar, by (form, period)); a period it does not list gets the
    shared rule with the catalogue's working days, which is what intake computes too."""
    today = now.astimezone(tz).date()
    out: list[DuePeriod] = []
    for form in forms_for(catalogue, unit, agency):
        for period in open_periods(form, today, early_days):
            due = (deadlines or {}).get((form.code, str(period))) or _shared_rule(
                catalogue, form, period, tz, deadline_inclusive
            )
            cutoff = due.cut_off
            report = submitted.get((form.code, str(period)))
            if report is not None:
                state = DueState.ON_TIME if report.on_time else DueState.LATE
            else:
                state = DueState.OPEN if now < cutoff else DueState.OVERDUE
            left = cutoff - now if state is DueState.OPEN else None
            out.append(DuePeriod(form, period, cutoff, due.last_day, due.reason, state, left, report))
    urgency = {DueState.OVERDUE: 0, DueState.OPEN: 1, DueState.LATE: 2, DueState.ON_TIME: 3}
    return sorted(out, key=lambda d: (urgency[d.state], d.deadline))


def periods_needed(
    catalogue: Catalogue, unit: Unit, today: date, early_days: int = 0, agency: str | None = None
) -> set[int]:
    """The years whose calendar `due_list` needs (periods open today may belong to last year)."""
    return {p.year for f in forms_for(catalogue, unit, agency) for p in open_periods(f, today, early_days)}


def _shared_rule(catalogue: Catalogue, form: Form, period: Period, tz: ZoneInfo, inclusive: bool) -> Deadline:
    due = form_due(form, period, tz, inclusive, catalogue.workdays)
    return Deadline(due.cut_off, due.last_day, due.reason)


def calendar_deadlines(calendars: Iterable[Mapping[str, object]]) -> dict[tuple[str, str], Deadline]:
    """intake's GET /api/v1/calendar answers, by (form, period)."""
    out: dict[tuple[str, str], Deadline] = {}
    for answer in calendars:
        for form in answer.get("forms", []):  # type: ignore[attr-defined]
            for p in form["periods"]:
                out[(str(form["form"]), str(p["period"]))] = Deadline(
                    datetime.fromisoformat(p["deadline"]), date.fromisoformat(p["last_day"]), p.get("reason")
                )
    return out


def submitted_index(rows: Iterable[Mapping[str, object]]) -> dict[tuple[str, str], Submitted]:
    """intake's report summaries by (form, period)."""
    return {
        (str(r["form"]), str(r["period"])): Submitted(
            str(r["report_id"]), bool(r["on_time"]), int(str(r["latest_revision"]))
        )
        for r in rows
    }
