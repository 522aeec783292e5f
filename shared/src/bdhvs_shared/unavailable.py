"""503 answers when a dependency (PostgreSQL, NATS) is down or the service is saturated: in the
{"errors"} shape with Retry-After, never a plain-text 500."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any, Literal

import asyncpg
import nats.errors
import nats.js.errors
import sqlalchemy.exc
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

log = structlog.get_logger("bdhvs.http")

# (code, field, message) → the JSON body of a refusal; intake's adds "severity" and "warnings".
ErrorBody = Callable[[str, str, str], dict[str, Any]]

UNAVAILABLE_RETRY_AFTER_SECONDS = 5  # the database or the broker is down: a failover takes seconds
OVERLOADED_RETRY_AFTER_SECONDS = 1  # saturated: a moment later there is room again
UNAVAILABLE = "service.unavailable"
OVERLOADED = "service.overloaded"


def errors_body(code: str, field: str, message: str) -> dict[str, Any]:
    """The shared refusal shape: {"errors": [{code, field, message}]}."""
    return {"errors": [{"code": code, "field": field, "message": message}]}


def unavailable_response(
    kind: Literal["unavailable", "overloaded"], body: ErrorBody = errors_body
) -> JSONResponse:
    """503 with Retry-After: `service.unavailable` (a dependency is down) or `service.overloaded`."""
    if kind == "overloaded":
        retry_after = OVERLOADED_RETRY_AFTER_SECONDS
        code = OVERLOADED
        message = (
            f"Hệ thống đang quá tải, yêu cầu chưa được thực hiện. Vui lòng gửi lại sau {retry_after} giây."
        )
    else:
        retry_after = UNAVAILABLE_RETRY_AFTER_SECONDS
        code = UNAVAILABLE
        message = (
            "Dịch vụ tạm thời gián đoạn (không kết nối được cơ sở dữ liệu hoặc hàng đợi sự kiện). "
            f"Vui lòng thử lại sau {retry_after} giây."
        )
    return JSONResponse(body(code, "", message), status_code=503, headers={"Retry-After": str(retry_after)})


# Connection-level failures of PostgreSQL (asyncpg's own classes, raised as such when connecting).
_PG_DOWN = (
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, and "connection was closed in the middle"
    asyncpg.CannotConnectNowError,  # 57P03: starting up or shutting down
    asyncpg.AdminShutdownError,  # 57P01: stopped
    asyncpg.CrashShutdownError,  # 57P02
)
_NATS_DOWN = (
    nats.errors.ConnectionClosedError,
    nats.errors.NoServersError,
    nats.errors.StaleConnectionError,
    nats.errors.OutboundBufferLimitError,
    nats.errors.NoRespondersError,
    nats.js.errors.ServiceUnavailableError,
    nats.js.errors.NoStreamResponseError,
)
# Registered with the app; `dependency_failure` then decides, anything else stays a 500.
_HANDLED: tuple[type[Exception], ...] = (
    sqlalchemy.exc.DBAPIError,
    sqlalchemy.exc.TimeoutError,
    sqlalchemy.exc.DisconnectionError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
    nats.errors.Error,
)


def unavailable_responses(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI declaration of the 503 answers above, with `model` as the errors shape."""
    return {
        503: {
            "model": model,
            "description": "Overloaded (`service.overloaded`, nothing was done) or a dependency such as "
            "the database is down (`service.unavailable`): retry after Retry-After seconds (a report "
            "with the same Idempotency-Key).",
            "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
        }
    }


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (`orig`) and its causes, without loops."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 20:
        current = todo.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        todo += [orig if isinstance(orig, BaseException) else None, current.__cause__, current.__context__]
    return seen


def dependency_failure(exc: BaseException) -> Literal["unavailable", "overloaded"] | None:
    """Whether this exception means the database/broker is saturated or unreachable, not a bug."""
    causes = _causes(exc)
    if any(isinstance(e, sqlalchemy.exc.TimeoutError | asyncpg.TooManyConnectionsError) for e in causes):
        return "overloaded"  # the pool (or the server's connection slots) stayed full
    for e in causes:
        if isinstance(e, sqlalchemy.exc.DBAPIError) and e.connection_invalidated:
            return "unavailable"
        if isinstance(
            e,
            sqlalchemy.exc.OperationalError
            | sqlalchemy.exc.InterfaceError
            | sqlalchemy.exc.DisconnectionError
            | asyncpg.InterfaceError
            | ConnectionError
            | TimeoutError
            | socket.gaierror,
        ):
            return "unavailable"
        if isinstance(e, _PG_DOWN + _NATS_DOWN):
            return "unavailable"
        if type(e) is OSError:  # asyncpg's "Multiple exceptions: [Errno 111] Connect call failed…"
            return "unavailable"
    return None


def install_unavailable_handlers(app: FastAPI, body: ErrorBody = errors_body) -> None:
    """A down or saturated database/broker answers 503 + Retry-After in the errors shape, not a 500."""

    async def on_dependency_error(_: Request, exc: Exception) -> JSONResponse:
        kind = dependency_failure(exc)
        if kind is None:
            raise exc  # a bug, not an outage: the server's usual 500
        log.warning("dependency unavailable", kind=kind, error=f"{type(exc).__name__}: {exc}"[:300])
        return unavailable_response(kind, body)

    for cls in _HANDLED:
        app.add_exception_handler(cls, on_dependency_error)
