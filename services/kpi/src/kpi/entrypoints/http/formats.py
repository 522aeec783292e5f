"""JSON or CSV from the same flat rows; errors in one shape with Vietnamese messages."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from bdhvs_shared.api import ErrorsOut, error_response
from bdhvs_shared.catalogue import Catalogue
from bdhvs_shared.spreadsheet_safety import neutralised


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


def wants_csv(request: Request, requested: Format | None) -> bool:
    """`?format=` wins; otherwise an Accept header that names text/csv."""
    if requested is not None:
        return requested is Format.CSV
    return "text/csv" in request.headers.get("accept", "")


def csv_response(columns: Sequence[str], rows: Sequence[dict[str, Any]], filename: str) -> Response:
    """UTF-8 with a byte-order mark, so that Excel shows Vietnamese names correctly."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n")
    writer.writerow({c: neutralised(c) for c in columns})
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return Response(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _cell(value: Any) -> Any:
    """A value as written: text that would start a formula gets a leading quote; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralised(value)


def problem(status: int, code: str, field: str, message: str) -> JSONResponse:
    return error_response(status, code, field, message)


def unknown_indicator(catalogue: Catalogue, indicator: str | None) -> JSONResponse | None:
    """The 422 for an indicator the catalogue does not have; None when it has it (or none is asked)."""
    if indicator is None or indicator in catalogue.indicators:
        return None
    known = ", ".join(catalogue.indicators)
    return problem(
        422, "indicator.unknown", "indicator", f"Chỉ tiêu '{indicator}' không có; chọn một trong: {known}."
    )


CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "JSON, or CSV on request."},
    422: {
        "model": ErrorsOut,
        "description": "An unknown indicator, unit or column: {errors: [{code, field, message}]}.",
    },
}
