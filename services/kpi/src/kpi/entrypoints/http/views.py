"""GET the province table and the ranking for the annual awards (the history: `history.py`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from bdhvs_shared.api import CODE, ERROR_RESPONSES
from bdhvs_shared.auth.routes import province_reader
from kpi.domain.read_models import RANKING_COLUMNS, province_table, ranking, sort_rows, table_columns
from kpi.entrypoints.http.deps import ServiceDep
from kpi.entrypoints.http.formats import (
    CSV_RESPONSE,
    Format,
    csv_response,
    problem,
    unknown_indicator,
    wants_csv,
)
from kpi.service_layer import reads

router = APIRouter(prefix="/api/v1", tags=["views"], responses=ERROR_RESPONSES)

IndicatorQuery = Annotated[str, Query(pattern=CODE, description="Indicator code: a, b, c, d, dd…")]
FormatQuery = Annotated[Format | None, Query(description="csv or json; otherwise the Accept header decides.")]


class TableOut(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]] = Field(description="One row per unit, the province first.")


class RankingOut(BaseModel):
    indicator: str
    columns: list[str]
    rows: list[dict[str, Any]] = Field(description="Communes/wards with data, rank 1 = highest attainment.")


@router.get(
    "/table", response_model=TableOut, responses=CSV_RESPONSE, dependencies=[Depends(province_reader)]
)
async def table(
    request: Request,
    service: ServiceDep,
    sort: Annotated[
        str, Query(max_length=80, description="A column name, e.g. c_attainment or d_status.")
    ] = "unit_code",
    order: Annotated[Literal["asc", "desc"], Query(description="Empty cells are last either way.")] = "asc",
    format: FormatQuery = None,
) -> Any:
    """The province table: the province, then every commune and ward × every indicator.

    Sorting keeps the province on top; statuses sort best first (achieved … insufficient_data).
    """
    projector = service.projector
    columns = table_columns(projector)
    if sort not in columns:
        return problem(422, "sort.unknown_column", "sort", f"Không có cột '{sort}' để sắp xếp.")
    snapshots = await reads.all_snapshots(service)
    rows = sort_rows(province_table(projector, snapshots), sort, order == "desc", pinned=1)
    if wants_csv(request, format):
        return csv_response(columns, rows, "bang-tinh.csv")
    return TableOut(columns=columns, rows=rows)


@router.get(
    "/ranking", response_model=RankingOut, responses=CSV_RESPONSE, dependencies=[Depends(province_reader)]
)
async def ranking_view(
    request: Request,
    service: ServiceDep,
    indicator: IndicatorQuery,
    kind: Annotated[
        Literal["xa", "phuong"] | None, Query(description="Only communes (xa) or wards (phuong).")
    ] = None,
    format: FormatQuery = None,
) -> Any:
    """Communes and wards with data ranked by attainment for the annual awards.

    Ties: the higher projection first, then the lower unit code; units without data are left out.
    """
    if (error := unknown_indicator(service.catalogue, indicator)) is not None:
        return error
    found = await reads.snapshots(service, None, indicator)
    ranked = ranking(service.projector, [r.snapshot for r in found], kind)
    if wants_csv(request, format):
        return csv_response(RANKING_COLUMNS, ranked, f"xep-hang-{indicator}.csv")
    return RankingOut(indicator=indicator, columns=RANKING_COLUMNS, rows=ranked)
