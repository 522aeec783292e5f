"""/health/live, /health/ready (intake, kpi and the notifier answer) and /metrics, like the services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI

from bdhvs_shared.http import health_router as shared_health_router
from web.entrypoints.http.metrics import WebMetrics


def health_router(app: FastAPI, metrics: WebMetrics) -> APIRouter:
    def check(name: str) -> Callable[[], Awaitable[bool]]:
        async def answers() -> bool:
            api = getattr(app.state.container, name).api
            try:
                reply = await api.client.get("/health/live", timeout=1.0)
            except Exception:
                return False
            return reply.status_code == 200

        return answers

    return shared_health_router({n: check(n) for n in ("intake", "kpi", "notifier")}, metrics.registry)
