"""POST and GET reports."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse

from intake.adapters import reports as reports_repo
from intake.domain.validation import IndicatorValue, Submission
from intake.routes.auth import CurrentPrincipal
from intake.routes.errors import ApiError, count_rejection, problems_response
from intake.routes.schemas import ProblemOut, ProblemsOut, ReportAcceptedOut, ReportIn, ReportOut
from intake.service import Forbidden, IntakeService, KeyReused, RetryKey

router = APIRouter(prefix="/api/v1", tags=["reports"])

_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ProblemsOut, "description": "The idempotency key was used for a different report."}
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ProblemsOut, "description": "No token, or an unknown one."},
    403: {"model": ProblemsOut, "description": "The token may not act for this unit."},
    422: {"model": ProblemsOut, "description": "The report is invalid; nothing was stored."},
}


def _service(request: Request) -> IntakeService:
    service: IntakeService = request.app.state.container.service
    return service


@router.post("/reports", status_code=201, response_model=ReportAcceptedOut, responses=_ERRORS | _CONFLICT)
async def submit_report(
    body: ReportIn,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            pattern=r"^[\x21-\x7e]+$",
            description="Retry key: the same key and body return the original reply and create nothing.",
        ),
    ] = None,
) -> Any:
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
        receipt = await service.submit(principal, valid, _retry_key(body, idempotency_key))
    except Forbidden:
        raise ApiError(
            403, "auth.forbidden_unit", "unit_code", "Mã truy cập này không được nộp báo cáo cho đơn vị này."
        ) from None
    except KeyReused:
        raise ApiError(
            409,
            "idempotency.key_reused",
            "Idempotency-Key",
            "Khóa gửi lại (Idempotency-Key hoặc submission_id) này đã được dùng cho một báo cáo "
            "có nội dung khác. Vui lòng dùng khóa mới cho mỗi báo cáo mới.",
        ) from None
    if receipt.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    else:
        request.app.state.container.relay.wake()
        request.app.state.container.metrics.reports_accepted.labels(form=valid.form.code).inc()
    return ReportAcceptedOut(
        **asdict(receipt),
        warnings=[
            ProblemOut(code=w.code, field=w.field, message=w.message, severity=w.severity.value)
            for w in valid.warnings
        ],
    )


def _retry_key(body: ReportIn, header: str | None) -> RetryKey | None:
    key = header or (str(body.submission_id) if body.submission_id else None)
    if key is None:
        return None
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return RetryKey(key, hashlib.sha256(canonical.encode()).hexdigest())


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
