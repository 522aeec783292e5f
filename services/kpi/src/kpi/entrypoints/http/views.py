"""GET history series, the province table and the ranking for the annual awards."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from bdhvs_shared.api import CODE, ERROR_RESPONSES, UNIT_CODE
from bdhvs_shared.auth.routes import CurrentCaller, province_reader, refuse_unit
from kpi.adapters import observations
from kpi.adapters.projections import all_snapshots, list_snapshots
from kpi.domain.projector import Projector
from kpi.domain.read_models import (
    RANKING_COLUMNS,
    province_history,
    province_table,
    ranking,
    sort_rows,
    table_columns,
    unit_history,
)
from kpi.domain.snapshot import Snapshot
from kpi.entrypoints.http.deps import ProjectorDep, SessionsDep
from kpi.entrypoints.http.formats import CSV_RESPONSE, Format, csv_response, problem, wants_csv

router = APIRouter(prefix="/api/v1", tags=["views"], responses=ERROR_RESPONSES)

IndicatorQuery = Annotated[str, Query(pattern=CODE, description="Indicator code: a, b, c, d, dd…")]
FormatQuery = Annotated[Format | None, Query(description="csv or json; otherwise the Accept header decides.")]


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


class TableOut(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]] = Field(description="One row per unit, the province first.")


class RankingOut(BaseModel):
    indicator: str
    columns: list[str]
    rows: list[dict[str, Any]] = Field(description="Communes/wards with data, rank 1 = highest attainment.")


def _unknown_indicator(projector: Projector, indicator: str) -> Response | None:
    if indicator in projector.catalogue.indicators:
        return None
    known = ", ".join(projector.catalogue.indicators)
    return problem(
        422, "indicator.unknown", "indicator", f"Chỉ tiêu '{indicator}' không có; chọn một trong: {known}."
    )


@router.get("/history", response_model=HistoryOut, responses={422: CSV_RESPONSE[422]})
async def history(
    projector: ProjectorDep,
    sessions: SessionsDep,
    caller: CurrentCaller,
    unit: Annotated[str, Query(pattern=UNIT_CODE, description="Unit code; 24 = the province.")],
    indicator: IndicatorQuery,
) -> Any:
    """The series of a unit (or the province) for one indicator: one point per as-of day.

    A commune's token reads its own unit and the province."""
    refuse_unit(caller, unit)
    if (error := _unknown_indicator(projector, indicator)) is not None:
        return error
    if projector.catalogue.unit(unit) is None:
        return problem(422, "unit.unknown", "unit", f"Không có đơn vị mã '{unit}' trong danh mục.")
    async with sessions() as session:
        if unit == projector.province:
            by_unit = await observations.series_by_unit(session, indicator)
            points = province_history(projector, indicator, by_unit)
        else:
            series = await observations.unit_series(session, unit, indicator)
            points = unit_history(projector, indicator, series)
    return HistoryOut(
        unit_code=unit,
        indicator=indicator,
        points=[HistoryPointOut.model_validate(p, from_attributes=True) for p in points],
    )


@router.get(
    "/table", response_model=TableOut, responses=CSV_RESPONSE, dependencies=[Depends(province_reader)]
)
async def table(
    request: Request,
    projector: ProjectorDep,
    sessions: SessionsDep,
    sort: Annotated[
        str, Query(max_length=80, description="A column name, e.g. c_attainment or d_status.")
    ] = "unit_code",
    order: Annotated[Literal["asc", "desc"], Query(description="Empty cells are last either way.")] = "asc",
    format: FormatQuery = None,
) -> Any:
    """The province table: the province, then every commune and ward × every indicator.

    Sorting keeps the province on top; statuses sort best first (achieved … insufficient_data).
    """
    columns = table_columns(projector)
    if sort not in columns:
        return problem(422, "sort.unknown_column", "sort", f"Không có cột '{sort}' để sắp xếp.")
    async with sessions() as session:
        snapshots = await all_snapshots(session)
    rows = sort_rows(province_table(projector, snapshots), sort, order == "desc", pinned=1)
    if wants_csv(request, format):
        return csv_response(columns, rows, "bang-tinh.csv")
    return TableOut(columns=columns, rows=rows)


@router.get(
    "/ranking", response_model=RankingOut, responses=CSV_RESPONSE, dependencies=[Depends(province_reader)]
)
async def ranking_view(
    request: Request,
    projector: ProjectorDep,
    sessions: SessionsDep,
    indicator: IndicatorQuery,
    kind: Annotated[
        Literal["xa", "phuong"] | None, Query(description="Only communes (xa) or wards (phuong).")
    ] = None,
    format: FormatQuery = None,
) -> Any:
    """Communes and wards with data ranked by attainment for the annual awards.

    Ties: the higher projection first, then the lower unit code; units without data are left out.
    """
    if (error := _unknown_indicator(projector, indicator)) is not None:
        return error
    async with sessions() as session:
        rows = await list_snapshots(session, None, indicator)
    ranked = ranking(projector, [Snapshot.from_row(r) for r in rows], kind)
    if wants_csv(request, format):
        return csv_response(RANKING_COLUMNS, ranked, f"xep-hang-{indicator}.csv")
    return RankingOut(indicator=indicator, columns=RANKING_COLUMNS, rows=ranked)
