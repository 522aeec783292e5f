"""GET the consolidated monthly report (before the 25th, to the provincial chairman): .xlsx or HTML."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from bdhvs_shared.auth.routes import province_reader
from kpi.consolidated import files
from kpi.consolidated.source import consolidated_report
from kpi.reporting import ReportingQueryError
from kpi.routes.formats import problem

router = APIRouter(prefix="/api/v1", tags=["consolidated"])


@router.get(
    "/consolidated",
    response_class=Response,
    dependencies=[Depends(province_reader)],
    responses={
        200: {
            "content": {files.XLSX_MEDIA_TYPE: {}, "text/html": {}},
            "description": "The workbook (three sheets) or a printable HTML page, in Vietnamese.",
        },
        422: {"description": "Not a month: {errors: [{code, field, message}]}."},
    },
)
async def consolidated(
    request: Request,
    period: Annotated[str, Query(max_length=10, description="The month, e.g. 2026-03.")],
    format: Annotated[Literal["xlsx", "html"], Query(description="xlsx (default) or html.")] = "xlsx",
) -> Any:
    """The five KPIs per commune/ward and for the province (attainment, target, status, pace,
    projection, as they stood on the month's as-of day), the monthly form's completeness and the
    late and missing units."""
    service = request.app.state.container.service
    try:
        report = await consolidated_report(service, period)
    except ReportingQueryError as error:
        return problem(422, error.code, error.field, error.message)
    name = f"bao-cao-tong-hop-{report.period}"
    if format == "html":
        return HTMLResponse(files.html(report, service.tz))
    return Response(
        files.xlsx(report, service.tz),
        media_type=files.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
