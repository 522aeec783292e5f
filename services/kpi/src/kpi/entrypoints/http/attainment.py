"""GET the current projections."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from bdhvs_shared.api import CODE, ERROR_RESPONSES, UNIT_CODE
from bdhvs_shared.auth.routes import CurrentCaller, refuse_unit
from kpi.domain.rebuild_plan import Recorded
from kpi.entrypoints.http.deps import ServiceDep
from kpi.service_layer import reads

router = APIRouter(prefix="/api/v1", tags=["attainment"], responses=ERROR_RESPONSES)


class AttainmentOut(BaseModel):
    unit_code: str
    indicator: str
    sequence: int
    as_of: date | None
    numerator: int | None
    denominator: int | None
    attainment: float | None = Field(description="Fraction in [0, 1].")
    pace_pp_per_30d: float | None
    projected: float | None
    required_pace_pp_per_30d: float | None
    status: str
    target_value: float | None
    target_comparator: str | None
    target_due: date | None
    units_reporting: int
    units_expected: int


def _out(recorded: Recorded) -> AttainmentOut:
    def pp30(v: float | None) -> float | None:
        return None if v is None else v * 3000

    row = {**recorded.snapshot.as_row(), "sequence": recorded.sequence}
    return AttainmentOut(
        **{k: row[k] for k in AttainmentOut.model_fields if k in row},
        pace_pp_per_30d=pp30(row["pace_per_day"]),
        required_pace_pp_per_30d=pp30(row["required_pace_per_day"]),
    )


@router.get("/attainment", response_model=list[AttainmentOut])
async def attainment(
    service: ServiceDep,
    caller: CurrentCaller,
    unit: Annotated[str | None, Query(pattern=UNIT_CODE, description="Unit code; 24 = the province")] = None,
    indicator: Annotated[str | None, Query(pattern=CODE, description="a, b, c, d, dd…")] = None,
) -> list[AttainmentOut]:
    """Current attainment, pace, projection and status per unit and indicator.

    A commune's token sees its own unit and the province; other roles see every unit.
    """
    province = service.catalogue.province.code
    if unit:
        refuse_unit(caller, unit, province)
    found = await reads.snapshots(service, unit, indicator)
    readable = caller.readable_units(province)
    return [_out(r) for r in found if readable is None or r.snapshot.unit_code in readable]
