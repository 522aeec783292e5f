"""What kpi's and the notifier's HTTP APIs share: every error in one shape, the error responses
their OpenAPI documents declare, and the query-parameter types.

Every error is `{"errors": [{"code", "field", "message"}]}` with a Vietnamese message: a refused
parameter or body (422, also for a body that cannot be read: bad JSON, nested too deeply), a
control character (NUL…) in any query or path parameter (422, before any route runs: PostgreSQL
text cannot hold NUL; `control_characters.RefuseControlCharacters`, importable from here too), an
unknown path (404), a method not allowed (405), and anything unexpected
(500, logged with its traceback).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bdhvs_shared.control_characters import RefuseControlCharacters
from bdhvs_shared.unavailable import errors_body

log = structlog.get_logger(__name__)

# GSO codes: 24 (the province) or a commune's or ward's five digits.
UNIT_CODE = r"^[0-9]{2}([0-9]{3})?$"
# Catalogue codes (indicators, forms): lower-case ASCII subject tokens.
CODE = r"^[a-z][a-z0-9_]{0,39}$"

# pydantic error type → Vietnamese message; anything else gets the generic one.
MESSAGES = {
    "missing": "Thiếu trường bắt buộc.",
    "string_type": "Phải là chuỗi ký tự.",
    "string_too_long": "Quá dài.",
    "string_too_short": "Quá ngắn.",
    "string_pattern_mismatch": "Không đúng định dạng.",
    "int_parsing": "Phải là số nguyên.",
    "int_type": "Phải là số nguyên.",
    "int_from_float": "Phải là số nguyên.",
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
    "model_type": "Phải là một đối tượng JSON.",
    "dict_type": "Phải là một đối tượng JSON.",
    "datetime_from_date_parsing": "Thời điểm không hợp lệ (ISO 8601).",
    "datetime_iso": "Thời điểm không hợp lệ: dùng ISO 8601 có múi giờ, ví dụ 2026-03-20T09:00:00+07:00.",
    "timezone_aware": "Thời điểm cần có múi giờ (ví dụ +07:00).",
}


class ErrorOut(BaseModel):
    code: str = Field(description="Stable machine code, e.g. indicator.unknown or auth.invalid.")
    field: str = Field(description="Where: a parameter or a JSON path; empty for the whole request.")
    message: str = Field(description="What is wrong and what to do, in Vietnamese.")


class ErrorsOut(BaseModel):
    errors: list[ErrorOut]


def _errors(description: str) -> dict[str, Any]:
    return {"model": ErrorsOut, "description": description}


# Declared on every router of kpi and the notifier (a route adds its own 404, 409…).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _errors("No token, or one that is unknown or revoked (auth.missing, auth.invalid)."),
    403: _errors("The token's role may not do this, or not for this unit (auth.forbidden…)."),
    422: _errors("A refused parameter or body: {errors: [{code, field, message}]}."),
    503: _errors(
        "Not now: the token could not be checked, or the service is overloaded or its "
        "database is down; retry later."
    ),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _errors("Not found: {errors: [{code, field, message}]}.")}


def error_response(status: int, code: str, field: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse(errors_body(code, field, message), status_code=status, headers=headers or None)


def validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """pydantic's errors of a request in the shared shape."""
    return [
        {
            "code": f"request.{e.get('type', 'invalid')}",
            "field": ".".join(
                str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "header")
            ),
            "message": MESSAGES.get(str(e.get("type")), "Giá trị không hợp lệ."),
        }
        for e in errors
    ]


_HTTP = {
    # FastAPI answers 400 when it cannot read a body at all (e.g. JSON nested too deeply).
    400: (422, "request.json_invalid", "Nội dung JSON không đọc được (sai cú pháp hoặc lồng quá sâu)."),
    404: (404, "http.not_found", "Không tìm thấy địa chỉ hoặc bản ghi được yêu cầu."),
    405: (405, "http.method_not_allowed", "Phương thức này không được hỗ trợ cho địa chỉ này."),
}


def install_error_handlers(app: FastAPI) -> None:
    """Every error of the app in the shared shape (see the module's docstring)."""
    app.add_middleware(RefuseControlCharacters)

    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"errors": validation_errors(exc.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        status, code, message = _HTTP.get(
            exc.status_code, (exc.status_code, "http.error", "Yêu cầu không thực hiện được.")
        )
        return error_response(status, code, "", message, **(exc.headers or {}))

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette logs it with its traceback after this answer is sent.
        log.error("request failed", path=request.url.path, error=repr(exc))
        return error_response(
            500, "internal", "", "Lỗi hệ thống, vui lòng thử lại sau hoặc báo quản trị viên."
        )


_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}:?\d{2})")


def _iso_text(value: Any) -> Any:
    """A person means a date and time: a number (pydantic would read 0.5 as 1970-01-01) is refused."""
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_DATETIME.fullmatch(value)):
        return value
    raise PydanticCustomError("datetime_iso", "an ISO 8601 date and time with its offset")


# An aware date and time written in ISO 8601 (2026-03-20T09:00:00+07:00), nothing else.
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


__all__ = [
    "CODE",
    "ERROR_RESPONSES",
    "MESSAGES",
    "NOT_FOUND",
    "UNIT_CODE",
    "ErrorOut",
    "ErrorsOut",
    "IsoDateTime",
    "RefuseControlCharacters",
    "error_response",
    "install_error_handlers",
    "validation_errors",
]
