"""The account use cases' refusals (`AccountRefused`): one handler, intake's errors shape."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from intake.domain.account_problems import AccountRefused
from intake.entrypoints.http.errors import problems_body


def install_account_errors(app: FastAPI) -> None:
    @app.exception_handler(AccountRefused)
    async def on_refused(_: Request, exc: AccountRefused) -> JSONResponse:
        headers = {"Cache-Control": "no-store", **exc.headers}
        return JSONResponse(problems_body(exc.problems), status_code=exc.status, headers=headers)
