"""POST and GET reports."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import JSONResponse

from intake.adapters import reports as reports_repo
from intake.domain.diff import diff_values
from intake.domain.principal import Principal, Role
from intake.domain.problems import Problem, problem
from intake.domain.submissions import IndicatorValue, Submission
from intake.entrypoints.http.auth import CurrentPrincipal
from intake.entrypoints.http.deps import ServiceDep, SessionsDep
from intake.entrypoints.http.errors import ApiError, problems_response
from intake.entrypoints.http.schemas import (
    TOKEN_PATTERN,
    ChangeOut,
    ProblemOut,
    ProblemsOut,
    ReportAcceptedOut,
    ReportIn,
    ReportOut,
    ReportPageOut,
    ReportSummaryOut,
    RevisionDiffOut,
)
from intake.service_layer.submit_report import IntakeService, NeedsConfirmation, RetryKey

router = APIRouter(prefix="/api/v1", tags=["reports"])

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ProblemsOut, "description": "The idempotency key was used for a different report."}
}
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": ProblemsOut, "description": "The body is larger than JSON_MAX_BYTES; it was not read."}
}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ProblemsOut, "description": "No token, or an unknown one."},
    403: {"model": ProblemsOut, "description": "The token may not act for this unit."},
    422: {"model": ProblemsOut, "description": "The report is invalid; nothing was stored."},
}


@router.post(
    "/reports", status_code=201, response_model=ReportAcceptedOut, responses=ERRORS | CONFLICT | TOO_LARGE
)
async def submit_report(
    body: ReportIn,
    principal: CurrentPrincipal,
    service: ServiceDep,
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
    # The use case counts rejections and accepted revisions and wakes the outbox relay; its
    # Forbidden and KeyReused have one handler each (errors.py). Docstrings are the OpenAPI text.
    submission = Submission(
        unit_code=body.unit_code,
        form=body.form,
        period=body.period,
        values={k: IndicatorValue(v.numerator, v.denominator, v.parts) for k, v in body.values.items()},
    )
    valid = service.validate(submission)
    if isinstance(valid, list):
        return problems_response(valid)
    try:
        receipt = await service.submit(principal, valid, _retry_key(body, idempotency_key), body.confirm)
    except NeedsConfirmation as exc:
        return confirmation_response([*valid.warnings, *exc.warnings])
    if receipt.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    fields = {k: v for k, v in asdict(receipt).items() if k != "history_warnings"}
    return ReportAcceptedOut(
        **fields,
        warnings=[
            ProblemOut(code=w.code, field=w.field, message=w.message, severity=w.severity.value)
            for w in (*valid.warnings, *receipt.history_warnings)
        ],
    )


def confirmation_response(warnings: Sequence[Problem]) -> JSONResponse:
    """422: nothing stored; the warnings to confirm, and the error saying how to confirm."""
    required = problem("report.confirmation_required", "confirm", count=len(warnings))
    return problems_response([required, *warnings])


def _retry_key(body: ReportIn, header: str | None) -> RetryKey | None:
    key = header or (str(body.submission_id) if body.submission_id else None)
    if key is None:
        return None
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return RetryKey(key, hashlib.sha256(canonical.encode()).hexdigest())


def _may_read(principal: Principal, report: dict[str, Any], service: IntakeService) -> bool:
    form = service.catalogue.forms.get(report["form"])
    return principal.may_read(report["unit_code"], form)


def _not_found() -> ApiError:
    # Same answer for "absent" and "not yours": other units' report ids are not revealed.
    return ApiError(404, "report.not_found", "report_id", "Không tìm thấy báo cáo.")


@router.get("/reports", response_model=ReportPageOut, responses=ERRORS)
async def list_reports(
    principal: CurrentPrincipal,
    service: ServiceDep,
    sessions: SessionsDep,
    unit: Annotated[str | None, Query(max_length=10, pattern=TOKEN_PATTERN, description="Unit code")] = None,
    form: Annotated[str | None, Query(max_length=50, pattern=TOKEN_PATTERN)] = None,
    period: Annotated[
        str | None, Query(max_length=10, pattern=TOKEN_PATTERN, description="e.g. 2026-03")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ReportPageOut:
    """Reports, newest first; a commune sees only its own."""
    if principal.role is Role.COMMUNE:
        if unit not in (None, principal.unit_code):
            raise ApiError(
                403, "auth.forbidden_unit", "unit", "Mã truy cập này chỉ xem được báo cáo của đơn vị mình."
            )
        unit = principal.unit_code
    readable = principal.readable_forms(list(service.catalogue.forms.values()))
    async with sessions() as session:
        total, rows = await reports_repo.list_reports(
            session, unit_code=unit, form=form, period=period, limit=limit, offset=offset, forms=readable
        )
    items = [ReportSummaryOut(**r) for r in rows]
    return ReportPageOut(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/reports/{report_id}/revisions/{revision}/diff",
    response_model=RevisionDiffOut,
    responses=ERRORS | {404: {"model": ProblemsOut}},
)
async def revision_diff(
    report_id: uuid.UUID,
    revision: Annotated[int, Path(ge=1, le=100_000)],
    principal: CurrentPrincipal,
    service: ServiceDep,
    sessions: SessionsDep,
) -> RevisionDiffOut:
    """What a revision changed compared with the one before it (the first: every figure)."""
    async with sessions() as session:
        report = await reports_repo.get_report(session, report_id)
    if report is None or not _may_read(principal, report, service):
        raise _not_found()
    by_number = {r["revision"]: r for r in report["revisions"]}
    if revision not in by_number:
        raise ApiError(
            404, "revision.not_found", "revision", "Không tìm thấy lần nộp (phiên bản) này của báo cáo."
        )
    current, previous = by_number[revision], by_number.get(revision - 1)
    changes = diff_values(previous["values"] if previous else {}, current["values"])
    return RevisionDiffOut(
        report_id=report_id,
        revision=revision,
        compared_with=previous["revision"] if previous else None,
        submitted_by=current["submitted_by"],
        received_at=current["received_at"],
        changes=[ChangeOut(**vars(c)) for c in changes],
    )


@router.get(
    "/reports/{report_id}",
    response_model=ReportOut,
    responses=ERRORS | {404: {"model": ProblemsOut}},
)
async def get_report(
    report_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep, sessions: SessionsDep
) -> Any:
    """A report with all its revisions."""
    async with sessions() as session:
        report = await reports_repo.get_report(session, report_id)
    if report is None or not _may_read(principal, report, service):
        raise _not_found()
    return ReportOut(**report)
