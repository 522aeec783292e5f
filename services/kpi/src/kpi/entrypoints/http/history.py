"""GET the history series of a unit or of the province."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from bdhvs_shared.api import CODE, ERROR_RESPONSES, UNIT_CODE
from bdhvs_shared.auth.routes import CurrentCaller, refuse_unit
from kpi.entrypoints.http.deps import ServiceDep
from kpi.entrypoints.http.formats import CSV_RESPONSE, problem, unknown_indicator
from kpi.service_layer import reads

router = APIRouter(prefix="/api/v1", tags=["views"], responses=ERROR_RESPONSES)


class HistoryPointOut(BaseModel):
    as_of: date
    numerator: int
    denominator: int
    attainment: float | None = Field(description="Fraction in [0, 1].")
    units_reporting: int = Field(description="1 for a unit; units with data so far for the province.")
    pace_pp_per_30d: float | None = Field(description="Pace as it stood on that day.")
    projected: float | None = Field(description="Projection at that year's target date, as it stood.")
    status: str = Field(description="Status as it stood on that day, against that year's target.")
    target_value: float | None


class HistoryOut(BaseModel):
    unit_code: str
    indicator: str
    points: list[HistoryPointOut]


@router.get("/history", response_model=HistoryOut, responses={422: CSV_RESPONSE[422]})
async def history(
    service: ServiceDep,
    caller: CurrentCaller,
    unit: Annotated[str, Query(pattern=UNIT_CODE, description="Unit code; 24 = the province.")],
    indicator: Annotated[str, Query(pattern=CODE, description="Indicator code: a, b, c, d, dd…")],
) -> Any:
    """The series of a unit (or the province) for one indicator: one point per as-of day.

    A commune's token reads its own unit and the province."""
    refuse_unit(caller, unit, service.catalogue.province.code)
    if (error := unknown_indicator(service.catalogue, indicator)) is not None:
        return error
    if service.catalogue.unit(unit) is None:
        return problem(422, "unit.unknown", "unit", f"Không có đơn vị mã '{unit}' trong danh mục.")
    points = await reads.history(service, unit, indicator)
    return HistoryOut(
        unit_code=unit,
        indicator=indicator,
        points=[HistoryPointOut.model_validate(p, from_attributes=True) for p in points],
    )
