"""POST and GET reports."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from intake.adapters import reports as reports_repo
from intake.domain.validation import IndicatorValue, Submission
from intake.routes.auth import CurrentPrincipal
from intake.routes.errors import ApiError, count_rejection, problems_response
from intake.routes.schemas import ProblemOut, ProblemsOut, ReportAcceptedOut, ReportIn, ReportOut
from intake.service import Forbidden, IntakeService

router = APIRouter(prefix="/api/v1", tags=["reports"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ProblemsOut, "description": "No token, or an unknown one."},
    403: {"model": ProblemsOut, "description": "The token may not act for this unit."},
    422: {"model": ProblemsOut, "description": "The report is invalid; nothing was stored."},
}


def _service(request: Request) -> IntakeService:
    service: IntakeService = request.app.state.container.service
    return service


@router.post("/reports", status_code=201, response_model=ReportAcceptedOut, responses=_ERRORS)
async def submit_report(body: ReportIn, principal: CurrentPrincipal, request: Request) -> Any:
    """Submit (or resubmit, as a new revision) a unit's report for a form and period."""
    service = _service(request)
    submission = Submission(
        unit_code=body.unit_code,
        form=body.form,
        period=body.period,
        values={k: IndicatorValue(v.numerator, v.denominator) for k, v in body.values.items()},
    )
    valid = service.validate(submission)
    if isinstance(valid, list):
        count_rejection(request.app.state.container.metrics.reports_rejected, valid)
        return problems_response(valid)
    try:
        accepted = await service.submit(principal, valid)
    except Forbidden:
        raise ApiError(
            403,
            "auth.forbidden_unit",
            "unit_code",
            "Mã truy cập này không được nộp báo cáo cho đơn vị này.",
        ) from None
    request.app.state.container.relay.wake()
    request.app.state.container.metrics.reports_accepted.labels(form=valid.form.code).inc()
    e = accepted.event
    return ReportAcceptedOut(
        report_id=e.report_id,
        revision=e.revision,
        unit_code=e.unit_code,
        form=e.form,
        period=e.period,
        as_of=e.as_of,
        received_at=e.received_at,
        deadline=e.deadline,
        on_time=e.on_time,
        event_id=e.event_id,
        warnings=[
            ProblemOut(code=w.code, field=w.field, message=w.message, severity=w.severity.value)
            for w in valid.warnings
        ],
    )


@router.get(
    "/reports/{report_id}",
    response_model=ReportOut,
    responses=_ERRORS | {404: {"model": ProblemsOut}},
)
async def get_report(report_id: uuid.UUID, principal: CurrentPrincipal, request: Request) -> Any:
    """A report with all its revisions."""
    async with request.app.state.container.sessions() as session:
        report = await reports_repo.get_report(session, report_id)
    if report is None or not principal.may_read(report["unit_code"]):
        # Same answer for "absent" and "not yours": do not reveal other units' report ids.
        return JSONResponse(
            {
                "errors": [
                    {
                        "code": "report.not_found",
                        "field": "report_id",
                        "message": "Không tìm thấy báo cáo.",
                        "severity": "error",
                    }
                ],
                "warnings": [],
            },
            status_code=404,
        )
    return ReportOut(report_id=report["id"], **{k: v for k, v in report.items() if k != "id"})
