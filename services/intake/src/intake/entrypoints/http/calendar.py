"""The reporting calendar of a year: each form's periods, as-of day, deadline and why it moved."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from intake.domain.year_calendar import year_calendar
from intake.entrypoints.http.auth import CurrentPrincipal
from intake.entrypoints.http.deps import ServiceDep
from intake.entrypoints.http.reports import ERRORS

router = APIRouter(prefix="/api/v1", tags=["catalogue"])


class DayOut(BaseModel):
    date: date
    reason: str


class PeriodOut(BaseModel):
    period: str
    as_of: date = Field(description="The day the figures are as of.")
    deadline: datetime = Field(description="The cut-off, local time: a report is on time strictly before it.")
    last_day: date = Field(description="The last day to submit (the day before the cut-off).")
    moved_from: date | None = Field(description="The form's own last day, when it was a day off.")
    reason: str | None = Field(description="Why the deadline moved (Civil Code 2015, art. 148(5)).")


class FormCalendarOut(BaseModel):
    form: str
    name_vi: str
    periods: list[PeriodOut]


class CalendarOut(BaseModel):
    year: int
    catalogue_version: str
    deadline_working_day: bool = Field(description="DEADLINE_WORKING_DAY: a last day that is off moves on.")
    days_off: list[DayOut] = Field(description="Public holidays and the province's days off (not weekends).")
    working_days: list[DayOut] = Field(description="Compensatory working days (làm bù) from the catalogue.")
    forms: list[FormCalendarOut]


@router.get("/calendar", response_model=CalendarOut, responses=ERRORS)
async def calendar(
    principal: CurrentPrincipal,
    service: ServiceDep,
    year: Annotated[int, Query(ge=2000, le=2100, description="The year, e.g. 2026.")],
) -> CalendarOut:
    """Every form's periods of `year` with as-of day and deadline as intake, kpi and the notifier
    compute them, and the year's days off."""
    tz = service.tz
    found = year_calendar(
        service.catalogue, year, tz, service.deadline_inclusive, service.deadline_working_day
    )
    return CalendarOut(
        year=year,
        catalogue_version=service.catalogue.version,
        deadline_working_day=service.deadline_working_day,
        days_off=[DayOut(date=d, reason=r) for d, r in found.days_off],
        working_days=[DayOut(date=d, reason=r) for d, r in found.working_days],
        forms=[
            FormCalendarOut(
                form=form.code,
                name_vi=form.name_vi,
                periods=[
                    PeriodOut(
                        period=p.period,
                        as_of=p.as_of,
                        deadline=p.due.cut_off.astimezone(tz),
                        last_day=p.due.last_day,
                        moved_from=p.due.moved_from,
                        reason=p.due.reason,
                    )
                    for p in periods
                ],
            )
            for form, periods in found.forms
        ],
    )
