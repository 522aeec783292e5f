"""GET the roll-up of every group of units: the province, the communes (xã), the wards (phường)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from bdhvs_shared.api import CODE, ERROR_RESPONSES
from bdhvs_shared.auth.routes import province_reader
from kpi.domain.publications import pp_per_30d
from kpi.domain.snapshot import Snapshot
from kpi.entrypoints.http.deps import ServiceDep
from kpi.entrypoints.http.formats import unknown_indicator
from kpi.service_layer import reads

router = APIRouter(prefix="/api/v1", tags=["views"], responses=ERROR_RESPONSES)


class GroupOut(BaseModel):
    group: str = Field(description="province (the province's own figure), xa (communes) or phuong (wards).")
    indicator: str
    as_of: date | None
    numerator: int | None
    denominator: int | None
    attainment: float | None = Field(description="Sum of numerators / sum of denominators, in [0, 1].")
    pace_pp_per_30d: float | None
    projected: float | None
    required_pace_pp_per_30d: float | None
    status: str
    target_value: float | None
    units_reporting: int
    units_expected: int


@router.get("/groups", response_model=list[GroupOut], dependencies=[Depends(province_reader)])
async def groups(
    service: ServiceDep,
    indicator: Annotated[
        str | None, Query(pattern=CODE, description="One indicator; all when absent.")
    ] = None,
) -> Any:
    """Each indicator for the province and for the communes and the wards apart, as of today.

    Groups are summed, never averaged: the latest figure of each unit, carried forward, as for
    the province (docs/kpi-rules.md). Computed on request from the stored observations.
    """
    if (error := unknown_indicator(service.catalogue, indicator)) is not None:
        return error
    codes = [indicator] if indicator else list(service.catalogue.indicators)
    return [_out(name, s) for name, s in await reads.groups(service, codes)]


def _out(name: str, s: Snapshot) -> GroupOut:
    return GroupOut(
        group=name,
        indicator=s.indicator,
        as_of=s.as_of,
        numerator=s.numerator,
        denominator=s.denominator,
        attainment=s.attainment,
        pace_pp_per_30d=pp_per_30d(s.pace_per_day),
        projected=s.projected,
        required_pace_pp_per_30d=pp_per_30d(s.required_pace_per_day),
        status=s.status,
        target_value=s.target_value,
        units_reporting=s.units_reporting,
        units_expected=s.units_expected,
    )
