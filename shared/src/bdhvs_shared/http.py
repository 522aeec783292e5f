"""HTTP pieces every service mounts: the app with its lifespan (`service_app`), the typed container
dependency (`from_container`); health probes and /metrics (`health`), 503 answers when a dependency
(PostgreSQL, NATS) is down or the service is saturated (`unavailable`), load shedding
(`load_shedding`). The names of those modules stay importable from here."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Protocol

from fastapi import APIRouter, FastAPI, Request
from nats.aio.client import Client
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine

from bdhvs_shared.health import ReadinessCheck, container_health, health_router
from bdhvs_shared.load_shedding import WriteLimit
from bdhvs_shared.request_log import RequestLogContext
from bdhvs_shared.unavailable import (
    OVERLOADED,
    OVERLOADED_RETRY_AFTER_SECONDS,
    UNAVAILABLE,
    UNAVAILABLE_RETRY_AFTER_SECONDS,
    ErrorBody,
    dependency_failure,
    errors_body,
    install_unavailable_handlers,
    unavailable_response,
    unavailable_responses,
)


def from_container(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A FastAPI dependency giving one attribute of the container that bootstrap builds in the lifespan;
    the route's `Annotated[Type, Depends(from_container(name))]` says its type."""

    # async: FastAPI runs a plain `def` dependency in its thread pool, a thread hand-off per
    # dependency per request (7 % of intake's event-loop samples under load) for an attribute read.
    async def read(request: Request) -> Any:
        return getattr(request.app.state.container, name)

    read.__name__ = f"container_{name}"
    return read


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


__all__ = [
    "OVERLOADED",
    "OVERLOADED_RETRY_AFTER_SECONDS",
    "UNAVAILABLE",
    "UNAVAILABLE_RETRY_AFTER_SECONDS",
    "ErrorBody",
    "ReadinessCheck",
    "ServiceContainer",
    "WriteLimit",
    "container_health",
    "dependency_failure",
    "errors_body",
    "from_container",
    "health_router",
    "install_unavailable_handlers",
    "service_app",
    "unavailable_response",
    "unavailable_responses",
]
