"""HTTP pieces every service mounts: health probes, /metrics, and 503 answers when a dependency
(PostgreSQL, NATS) is down or the service is saturated — in the {"errors"} shape with Retry-After,
never a plain-text 500."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal, Protocol

import asyncpg
import nats.errors
import nats.js.errors
import sqlalchemy.exc
import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from nats.aio.client import Client
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from bdhvs_shared.request_log import RequestLogContext

log = structlog.get_logger("bdhvs.http")

ReadinessCheck = Callable[[], Awaitable[bool]]


def from_container(name: str) -> Callable[[Request], Any]:
    """A FastAPI dependency giving one attribute of the container that bootstrap builds in the lifespan;
    the route's `Annotated[Type, Depends(from_container(name))]` says its type."""

    def read(request: Request) -> Any:
        return getattr(request.app.state.container, name)

    read.__name__ = f"container_{name}"
    return read


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


class WriteLimit:
    """Load shedding: at most `limit` write requests (POST, PUT, PATCH, DELETE) in flight.

    A write that finds no room within `wait_seconds` is answered 503 `service.overloaded` with
    Retry-After at once, before its body is read: the queue stays short, so a client is answered
    long before it gives up, and a request it gave up on is not committed later. Reads are not
    limited (their pool wait is bounded by DB_POOL_TIMEOUT_SECONDS)."""

    WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, app: ASGIApp, limit: int, wait_seconds: float, body: ErrorBody = errors_body) -> None:
        self.app = app
        self.wait_seconds = wait_seconds
        self.body = body
        self._slots = asyncio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in self.WRITES:
            await self.app(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.wait_seconds):
                await self._slots.acquire()
        except TimeoutError:
            log.warning("write request shed", path=scope.get("path"), wait_seconds=self.wait_seconds)
            await unavailable_response("overloaded", self.body)(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()


def health_router(checks: Mapping[str, ReadinessCheck], registry: CollectorRegistry) -> APIRouter:
    """/health/live: the process answers. /health/ready: broker and database answer too."""
    router = APIRouter(tags=["health"])

    @router.get("/health/live", summary="Liveness: the process is up")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/health/ready",
        summary="Readiness: the broker and the database answer",
        responses={503: {"description": "The broker or the database does not answer: {status, checks}."}},
    )
    async def ready() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        ok = all(results.values())
        body = {
            "status": "ok" if ok else "unavailable",
            "checks": {k: "ok" if v else "down" for k, v in results.items()},
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


def container_health(app: FastAPI, registry: CollectorRegistry) -> APIRouter:
    """Health of a service whose `app.state.container` has `engine` and `nc`."""
    from bdhvs_shared.db.engine import database_ready
    from bdhvs_shared.nats.connection import broker_ready

    async def database() -> bool:
        return await database_ready(app.state.container.engine)

    async def nats() -> bool:
        return await broker_ready(app.state.container.nc)

    return health_router({"database": database, "nats": nats}, registry)


class ServiceContainer(Protocol):
    """What the app needs of a service's composition root: health checks and a clean stop."""

    engine: AsyncEngine

    @property
    def nc(self) -> Client | None: ...

    async def close(self) -> None: ...


def service_app(
    title: str,
    description: str,
    registry: CollectorRegistry,
    start: Callable[[], Awaitable[ServiceContainer]],
    routers: Sequence[APIRouter],
    error_body: ErrorBody = errors_body,
    write_limit: tuple[int, float] | None = None,
    responses: dict[int | str, dict[str, Any]] | None = None,
) -> FastAPI:
    """A service's FastAPI app: its routes, health and metrics; the container lives in the lifespan.

    A down or saturated database/broker answers 503 + Retry-After (`install_unavailable_handlers`);
    `write_limit` = (most writes in flight, seconds a write may wait for room) sheds load with 503.
    `responses`: documented on every route of `routers` (e.g. `unavailable_responses(model)`).
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.container = await start()
        try:
            yield
        finally:
            await app.state.container.close()

    app = FastAPI(title=title, version="0.1.0", description=description, lifespan=lifespan)
    if write_limit is not None:  # inside the request log, so that a shed request is logged too
        limit, wait_seconds = write_limit
        app.add_middleware(WriteLimit, limit=limit, wait_seconds=wait_seconds, body=error_body)
    app.add_middleware(RequestLogContext)
    install_unavailable_handlers(app, error_body)
    for router in routers:
        app.include_router(router, responses=responses)
    app.include_router(container_health(app, registry))
    return app
