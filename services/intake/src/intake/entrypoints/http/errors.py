"""Every rejection in one shape: {"errors": [{code, field, message}]}, Vietnamese messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import Counter
from starlette.exceptions import HTTPException as StarletteHTTPException

from intake.domain.problems import Problem, Severity, listed, problem
from intake.domain.structural import problems_from_pydantic
from intake.service_layer.submit_report import Forbidden, KeyReused


class ApiError(Exception):
    def __init__(self, status: int, code: str, field: str, message: str) -> None:
        self.status, self.code, self.field, self.message = status, code, field, message


def problems_body(problems: Sequence[Problem]) -> dict[str, Any]:
    def shape(p: Problem) -> dict[str, str]:
        return {
            "code": p.code,
            "field": p.field,
            "message": p.message,
            "severity": p.severity.value,
        }

    return {
        "errors": [shape(p) for p in listed(problems, Severity.ERROR)],
        "warnings": [shape(p) for p in listed(problems, Severity.WARNING)],
    }


def problem_body(code: str, field: str, message: str) -> dict[str, Any]:
    """One error in intake's shape (for the shared 503 answers: overloaded, database down)."""
    return problems_body([Problem(code, field, message)])


def problems_response(problems: Sequence[Problem], status: int = 422) -> JSONResponse:
    return JSONResponse(problems_body(problems), status_code=status)


# FastAPI's answer when its JSON parser raised something other than a decode error.
_UNPARSABLE_BODY = "There was an error parsing the body"
_HTTP_MESSAGES = {
    404: ("http.not_found", "Không tìm thấy địa chỉ hoặc bản ghi được yêu cầu."),
    405: ("http.method_not_allowed", "Phương thức này không được hỗ trợ cho địa chỉ này."),
}


def count_rejection(rejected: Counter, problems: Sequence[Problem]) -> None:
    for p in problems:
        if p.severity is Severity.ERROR:
            rejected.labels(code=p.code).inc()


def install_error_handlers(app: FastAPI, rejected: Counter) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = problems_from_pydantic(exc.errors())
        count_rejection(rejected, problems)
        return problems_response(problems)

    @app.exception_handler(ApiError)
    async def on_api_error(_: Request, exc: ApiError) -> JSONResponse:
        return problems_response([Problem(exc.code, exc.field, exc.message)], status=exc.status)

    # The submit use case's refusals, whichever route (a report, an imported file) called it.
    @app.exception_handler(Forbidden)
    async def on_forbidden(_: Request, __: Forbidden) -> JSONResponse:
        message = "Mã truy cập này không được nộp báo cáo cho đơn vị này."
        return problems_response([Problem("auth.forbidden_unit", "unit_code", message)], status=403)

    @app.exception_handler(KeyReused)
    async def on_key_reused(_: Request, __: KeyReused) -> JSONResponse:
        message = (
            "Khóa gửi lại (Idempotency-Key hoặc submission_id) này đã được dùng cho một báo cáo "
            "hoặc tệp có nội dung khác. Vui lòng dùng khóa mới cho mỗi báo cáo hoặc tệp mới."
        )
        return problems_response([Problem("idempotency.key_reused", "Idempotency-Key", message)], status=409)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
            # JSON the parser gave up on (invalid UTF-8, nesting too deep, a number of thousands of
            # digits): the same answer as any other body that is not JSON.
            unreadable = problem("body.invalid_json", "")
            count_rejection(rejected, [unreadable])
            return problems_response([unreadable])
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http.error", "Yêu cầu không hợp lệ."))
        return problems_response([Problem(code, "", message)], status=exc.status_code)
