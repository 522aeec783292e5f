"""Every rejection in one shape, {"errors": [{code, field, message}]}, with Vietnamese messages.

The shape, the handlers and the declared responses are bdhvs_shared.api's; the directory's
refusals add the CSV line.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bdhvs_shared import api
from notifier.domain.directory_csv import LineProblem
from notifier.service_layer.directory_admin import DirectoryRejected


class DirectoryErrorOut(api.ErrorOut):
    line: int | None = Field(default=None, description="A CSV import's 1-based line; 0 for the whole file.")


class DirectoryErrorsOut(BaseModel):
    errors: list[DirectoryErrorOut]


ERRORS: dict[int | str, dict[str, Any]] = {
    **api.ERROR_RESPONSES,
    404: {"model": api.ErrorsOut, "description": "No such contact."},
    422: {"model": DirectoryErrorsOut, "description": "Refused: {errors: [{code, field, message[, line]}]}."},
}


def install_error_handlers(app: FastAPI) -> None:
    api.install_error_handlers(app)

    @app.exception_handler(DirectoryRejected)
    async def on_rejected(_: Request, exc: DirectoryRejected) -> JSONResponse:
        errors = [
            {"code": p.code, "field": p.column, "message": p.message, "line": p.line}
            if isinstance(p, LineProblem)
            else {"code": p.code, "field": p.field, "message": p.message}
            for p in exc.problems
        ]
        return JSONResponse({"errors": errors}, status_code=exc.status)
