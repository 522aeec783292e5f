"""Health probes and /metrics: /health/live, /health/ready (broker and database), /health/workers
(when each background worker last ran), Prometheus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel, Field

ReadinessCheck = Callable[[], Awaitable[bool]]


class WorkerRun(BaseModel):
    """A background worker's last run that did not fail (Unix time, the machine's clock)."""

    name: str = Field(description="ledger-tick, alert-tick, outbox-relay, dispatcher-email …")
    began: float = Field(description="When that run began: it saw everything stored before then")
    ended: float = Field(description="When it ended")
    did: int = Field(description="How much it did (0: it found nothing to do, the worker is idle)")
    more: bool = Field(
        description="Whether it may have left work that was due when it began (it runs again at once); "
        "false: everything due then is done"
    )


class WorkersOut(BaseModel):
    workers: list[WorkerRun] = Field(description="One per running worker that has completed a run")


def worker_runs() -> WorkersOut:
    """The last successful run of each worker of this process (no business data: names and times)."""
    from bdhvs_shared.worker import RUNNING

    runs = [
        WorkerRun(
            name=w.name,
            began=w.last_success_began,
            ended=w.last_success,
            did=w.last_success_done,
            more=w.last_success_more,
        )
        for w in list(RUNNING)
        if w.last_success is not None and w.last_success_began is not None
    ]
    return WorkersOut(workers=sorted(runs, key=lambda r: r.name))


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

    @router.get(
        "/health/workers",
        summary="When each background worker (ticks, relay, dispatchers) last completed a run",
        response_model=WorkersOut,
    )
    async def workers() -> WorkersOut:
        """Cheap (no I/O) and open like /metrics: worker names, times and counts, no business data. A run
        that began after a moment and did nothing means the worker had handled everything stored before
        that moment (`make demo` waits so for the notifier's `ledger-tick` and `alert-tick` once the
        consumers drained)."""
        return worker_runs()

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
