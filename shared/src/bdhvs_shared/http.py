"""HTTP pieces every service mounts: health probes and /metrics."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from nats.aio.client import Client
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine

from bdhvs_shared.request_log import RequestLogContext

ReadinessCheck = Callable[[], Awaitable[bool]]


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
) -> FastAPI:
    """A service's FastAPI app: its routes, health and metrics; the container lives in the lifespan."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.container = await start()
        try:
            yield
        finally:
            await app.state.container.close()

    app = FastAPI(title=title, version="0.1.0", description=description, lifespan=lifespan)
    app.add_middleware(RequestLogContext)
    for router in routers:
        app.include_router(router)
    app.include_router(container_health(app, registry))
    return app
