"""Every rejection in one shape, {"errors": [{code, field, message}]}, with Vietnamese messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from notifier.directory_admin import DirectoryRejected
from notifier.recipients import LineProblem

# pydantic error type → Vietnamese message; anything else gets the generic one.
_MESSAGES = {
    "missing": "Thiếu trường bắt buộc.",
    "string_type": "Phải là chuỗi ký tự.",
    "string_too_long": "Quá dài.",
    "string_too_short": "Quá ngắn.",
    "string_pattern_mismatch": "Không đúng định dạng.",
    "int_parsing": "Phải là số nguyên.",
    "int_type": "Phải là số nguyên.",
    "bool_parsing": "Phải là true hoặc false.",
    "bool_type": "Phải là true hoặc false.",
    "greater_than_equal": "Giá trị quá nhỏ.",
    "less_than_equal": "Giá trị quá lớn.",
    "literal_error": "Giá trị không nằm trong danh sách cho phép.",
    "enum": "Giá trị không nằm trong danh sách cho phép.",
    "list_type": "Phải là một danh sách.",
    "too_short": "Danh sách quá ngắn.",
    "too_long": "Danh sách quá dài.",
    "extra_forbidden": "Trường này không được phép.",
    "json_invalid": "Nội dung JSON không hợp lệ.",
    "model_attributes_type": "Phải là một đối tượng JSON.",
    "datetime_from_date_parsing": "Thời điểm không hợp lệ (ISO 8601).",
    "timezone_aware": "Thời điểm cần có múi giờ (ví dụ +07:00).",
}


class ErrorOut(BaseModel):
    code: str
    field: str
    message: str
    line: int | None = None


class ErrorsOut(BaseModel):
    errors: list[ErrorOut]


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorsOut, "description": "Who is acting is not known."},
    404: {"model": ErrorsOut, "description": "No such contact."},
    422: {"model": ErrorsOut, "description": "Refused: {errors: [{code, field, message[, line]}]}."},
}


def errors_response(errors: Sequence[dict[str, Any]], status: int) -> JSONResponse:
    return JSONResponse({"errors": list(errors)}, status_code=status)


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "code": f"request.{e.get('type', 'invalid')}",
                "field": _field(e.get("loc", ())),
                "message": _MESSAGES.get(str(e.get("type")), "Giá trị không hợp lệ."),
            }
            for e in exc.errors()
        ]
        return errors_response(errors, 422)

    @app.exception_handler(DirectoryRejected)
    async def on_rejected(_: Request, exc: DirectoryRejected) -> JSONResponse:
        errors = [
            {"code": p.code, "field": p.column, "message": p.message, "line": p.line}
            if isinstance(p, LineProblem)
            else {"code": p.code, "field": p.field, "message": p.message}
            for p in exc.problems
        ]
        return errors_response(errors, exc.status)
