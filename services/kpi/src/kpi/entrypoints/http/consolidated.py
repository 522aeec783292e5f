"""GET the consolidated monthly report (before the 25th, to the provincial chairman): .xlsx, HTML or PDF."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import HTMLResponse

from bdhvs_shared.api import ERROR_RESPONSES, NOT_FOUND, ErrorsOut
from bdhvs_shared.auth.routes import province_reader
from kpi.adapters import consolidated_files as files
from kpi.domain.reporting import ReportingQueryError
from kpi.entrypoints.http.deps import ServiceDep
from kpi.entrypoints.http.formats import problem
from kpi.service_layer import reads
from kpi.service_layer.consolidate import consolidated_report

router = APIRouter(prefix="/api/v1", tags=["consolidated"], responses=ERROR_RESPONSES)


@router.get(
    "/consolidated",
    response_class=Response,
    dependencies=[Depends(province_reader)],
    responses={
        200: {
            "content": {files.XLSX_MEDIA_TYPE: {}, "text/html": {}, files.PDF_MEDIA_TYPE: {}},
            "description": "The workbook (four sheets, charts) or the printable page (HTML or PDF, A4 "
            "landscape, national heading and signature block), in Vietnamese.",
        },
        422: {"model": ErrorsOut, "description": "Not a month: {errors: [{code, field, message}]}."},
    },
)
async def consolidated(
    service: ServiceDep,
    period: Annotated[str, Query(max_length=10, description="The month, e.g. 2026-03.")],
    format: Annotated[
        Literal["xlsx", "html", "pdf"], Query(description="xlsx (default), html or pdf.")
    ] = "xlsx",
) -> Any:
    """The five KPIs per commune/ward and for the province (attainment, target, status, pace,
    projection, as they stood on the month's as-of day), the monthly form's completeness and the
    late and missing units."""
    try:
        report = await consolidated_report(service, period)
    except ReportingQueryError as error:
        return problem(422, error.code, error.field, error.message)
    name = f"bao-cao-tong-hop-{report.period}"
    if format == "html":
        return HTMLResponse(files.html(report, service.tz))
    if format == "pdf":
        return await _pdf(files.html(report, service.tz), name)
    return Response(
        files.xlsx(report, service.tz),
        media_type=files.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@router.get(
    "/consolidated/archive/{period}.{extension}",
    response_class=Response,
    dependencies=[Depends(province_reader)],
    responses={
        200: {
            "content": {files.XLSX_MEDIA_TYPE: {}, "text/html": {}, files.PDF_MEDIA_TYPE: {}},
            "description": "The stored file (pdf: the stored page, printed).",
        },
        **NOT_FOUND,
    },
)
async def archived_report(
    service: ServiceDep,
    period: Annotated[str, Path(max_length=10, pattern=r"^\d{4}-\d{2}$", description="e.g. 2026-03")],
    extension: Annotated[Literal["xlsx", "html", "pdf"], Path(description="xlsx, html or pdf")],
) -> Any:
    """The consolidated report exactly as made on the 24th (what the bdhvs.kpi.consolidated event
    announced); `GET /api/v1/consolidated` makes it anew from today's data instead."""
    stored = await reads.archived(service, period)
    if stored is None:
        return problem(
            404, "consolidated.not_made", "period", f"Báo cáo tổng hợp tháng {period} chưa được lập tự động."
        )
    workbook, page = stored
    if extension == "html":
        return HTMLResponse(page)
    if extension == "pdf":
        return await _pdf(page, f"bao-cao-tong-hop-{period}")
    return Response(
        workbook,
        media_type=files.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="bao-cao-tong-hop-{period}.xlsx"'},
    )


async def _pdf(page: str, name: str) -> Response:
    """The page printed (WeasyPrint, a few seconds of CPU for 100 units: off the event loop)."""
    document = await asyncio.to_thread(files.pdf, page)
    return Response(
        document,
        media_type=files.PDF_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )
