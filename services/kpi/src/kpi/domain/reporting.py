"""Completeness of a form and period from the catalogue and the receipts (pure).

The catalogue decides who is expected (units active on the period's as-of day that
file the form, following unit history); the receipts say who reported and whether
on time. The same view feeds the read API, the `bdhvs.kpi.reporting.<form>` event
and the consolidated report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import (
    Catalogue,
    Form,
    Period,
    PeriodError,
    Unit,
    Workdays,
    as_of_date,
    form_deadline,
)
from bdhvs_shared.events import GroupReporting, ReportingUpdated
from kpi.domain.completeness import ExpectedUnit, GroupCompleteness, ReportState, completeness, state_of


@dataclass(frozen=True)
class Receipt:
    unit_code: str
    on_time: bool
    first_revision: int
    first_received_at: datetime
    latest_revision: int
    latest_received_at: datetime


@dataclass(frozen=True)
class UnitReporting:
    unit_code: str
    unit_name: str
    unit_kind: str
    state: ReportState
    first_received_at: datetime | None
    latest_revision: int | None


@dataclass(frozen=True)
class ReportingView:
    form: Form
    period: str
    as_of: date
    deadline: datetime
    groups: list[GroupCompleteness]
    units: list[UnitReporting]  # every expected unit, in code order

    def in_state(self, state: ReportState) -> list[UnitReporting]:
        return [u for u in self.units if u.state is state]


class ReportingQueryError(ValueError):
    """A form or period the catalogue does not know, with a message for people."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code, self.field, self.message = code, field, message


def resolve(catalogue: Catalogue, form_code: str, period_text: str) -> tuple[Form, Period]:
    form = catalogue.forms.get(form_code)
    if form is None:
        known = ", ".join(catalogue.forms)
        raise ReportingQueryError("form.unknown", "form", f"Không có biểu mẫu '{form_code}'; chọn: {known}.")
    try:
        period = Period.parse(period_text)
    except PeriodError:
        raise ReportingQueryError(
            "period.invalid", "period", f"Kỳ báo cáo '{period_text}' không hợp lệ (ví dụ 2026-03, 2026-Q1)."
        ) from None
    if period.type is not form.period_type or (form.periods and str(period) not in form.periods):
        raise ReportingQueryError(
            "period.not_for_form", "period", f"Biểu mẫu '{form.code}' không có kỳ báo cáo {period}."
        )
    return form, period


@dataclass(frozen=True)
class ExpectedReporting:
    """Who is expected to file a form for a period, and by when: the part of its reporting that
    receipts do not change (kpi's batch path works it out once per form and period, not per report)."""

    form: Form
    period: str
    as_of: date
    deadline: datetime
    reporters: list[Unit]  # in code order
    expected: list[ExpectedUnit]

    def groups(self, receipts: Mapping[str, Receipt]) -> list[GroupCompleteness]:
        """Completeness by group (`completeness`) given these receipts."""
        return completeness(self.expected, _on_time(receipts))


def expected_reporting(
    catalogue: Catalogue, form: Form, period: Period, deadline: datetime
) -> ExpectedReporting:
    """The units expected on the period's as-of day; `deadline`: `form_deadline` by the caller's rule."""
    as_of = as_of_date(period, form.as_of_day)
    reporters = catalogue.expected_reporters(form, on=as_of)
    return ExpectedReporting(
        form=form,
        period=str(period),
        as_of=as_of,
        deadline=deadline,
        reporters=reporters,
        expected=[ExpectedUnit(u.code, u.kind.value) for u in reporters],
    )


def _on_time(receipts: Mapping[str, Receipt]) -> dict[str, bool]:
    return {code: r.on_time for code, r in receipts.items()}


def reporting_view(
    catalogue: Catalogue,
    form: Form,
    period: Period,
    receipts: Mapping[str, Receipt],
    tz: ZoneInfo,
    inclusive: bool = False,
    workdays: Workdays | None = None,
) -> ReportingView:
    expected = expected_reporting(
        catalogue, form, period, form_deadline(form, period, tz, inclusive, workdays)
    )
    on_time = _on_time(receipts)
    units = [
        UnitReporting(
            unit_code=u.code,
            unit_name=u.name,
            unit_kind=u.kind.value,
            state=state_of(u.code, on_time),
            first_received_at=receipts[u.code].first_received_at if u.code in receipts else None,
            latest_revision=receipts[u.code].latest_revision if u.code in receipts else None,
        )
        for u in expected.reporters
    ]
    return ReportingView(
        form=form,
        period=expected.period,
        as_of=expected.as_of,
        deadline=expected.deadline,
        groups=completeness(expected.expected, on_time),
        units=units,
    )


def group_out(g: GroupCompleteness) -> GroupReporting:
    return GroupReporting(
        group=g.group,
        expected=g.expected,
        received=g.received,
        on_time=g.on_time,
        late=g.late,
        missing=g.missing,
        reporting_rate=g.reporting_rate,
        on_time_rate=g.on_time_rate,
    )


def reporting_event(
    expected: ExpectedReporting,
    receipts: Mapping[str, Receipt],
    now: datetime,
    correlation_id: UUID | None,
) -> ReportingUpdated:
    """The form and period's completeness given `receipts` (its `sequence`: how many were received)."""
    return ReportingUpdated.new(
        producer="kpi",
        correlation_id=correlation_id,
        occurred_at=now,
        form=expected.form.code,
        period=expected.period,
        sequence=len(receipts),
        as_of=expected.as_of,
        deadline=expected.deadline,
        groups=[group_out(g) for g in expected.groups(receipts)],
    )
