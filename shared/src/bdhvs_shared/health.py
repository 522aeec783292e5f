"""Health probes and /metrics: /health/live, /health/ready (broker and database), Prometheus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

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
