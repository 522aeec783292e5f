"""GET reporting completeness of a form and period: counts per group and the missing units, live."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from bdhvs_shared.api import CODE, ERROR_RESPONSES
from bdhvs_shared.auth.routes import province_reader
from bdhvs_shared.events import GroupReporting
from kpi.domain.completeness import ReportState
from kpi.domain.reporting import ReportingQueryError, UnitReporting, group_out
from kpi.entrypoints.http.deps import ServiceDep
from kpi.entrypoints.http.formats import CSV_RESPONSE, Format, csv_response, problem, wants_csv
from kpi.service_layer import reads

router = APIRouter(prefix="/api/v1", tags=["completeness"], responses=ERROR_RESPONSES)

UNIT_COLUMNS = ["unit_code", "unit_name", "unit_kind", "state", "first_received_at", "latest_revision"]


class UnitOut(BaseModel):
    unit_code: str
    unit_name: str
    unit_kind: str
    state: str = Field(description="on_time, late or missing.")
    first_received_at: datetime | None = Field(description="When its first revision arrived.")
    latest_revision: int | None


class CompletenessOut(BaseModel):
    form: str
    form_name: str
    period: str
    as_of: date = Field(description="Expected units are those active on this day that file the form.")
    deadline: datetime = Field(description="On time: first revision received strictly before this.")
    groups: list[GroupReporting] = Field(description="The whole province first, then xa and phuong.")
    missing: list[UnitOut] = Field(description="Expected units with no report yet, in code order.")
    late: list[UnitOut] = Field(description="Units whose first revision came after the cut-off.")


def unit_row(u: UnitReporting) -> dict[str, Any]:
    return {
        "unit_code": u.unit_code,
        "unit_name": u.unit_name,
        "unit_kind": u.unit_kind,
        "state": u.state.value,
        "first_received_at": u.first_received_at.isoformat() if u.first_received_at else None,
        "latest_revision": u.latest_revision,
    }


@router.get(
    "/completeness",
    response_model=CompletenessOut,
    responses=CSV_RESPONSE,
    dependencies=[Depends(province_reader)],
)
async def completeness(
    request: Request,
    service: ServiceDep,
    form: Annotated[str, Query(pattern=CODE, description="Form code, e.g. monthly.")],
    period: Annotated[str, Query(max_length=10, description="Period of the form, e.g. 2026-03.")],
    format: Annotated[Format | None, Query(description="csv (one row per expected unit) or json.")] = None,
) -> Any:
    """Expected, received, on time, late and missing reports with the rates (docs/kpi-rules.md), per group.

    CSV: one row per expected unit with its state (on_time, late, missing).
    """
    try:
        view = await reads.reporting(service, form, period)
    except ReportingQueryError as error:
        return problem(422, error.code, error.field, error.message)
    rows = [unit_row(u) for u in view.units]
    if wants_csv(request, format):
        return csv_response(UNIT_COLUMNS, rows, f"day-du-{view.form.code}-{view.period}.csv")
    return CompletenessOut(
        form=view.form.code,
        form_name=view.form.name_vi,
        period=view.period,
        as_of=view.as_of,
        deadline=view.deadline,
        groups=[group_out(g) for g in view.groups],
        missing=[UnitOut(**unit_row(u)) for u in view.in_state(ReportState.MISSING)],
        late=[UnitOut(**unit_row(u)) for u in view.in_state(ReportState.LATE)],
    )
