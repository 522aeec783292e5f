"""The composition root of the web service. Nothing is built at import."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bdhvs_shared.catalogue import Catalogue, load_catalogue
from bdhvs_shared.clock import Clock, clock_from_iso
from bdhvs_shared.logs import configure_logging
from web.adapters.api_client import ApiClient, client
from web.adapters.intake_api import IntakeApi
from web.adapters.kpi_api import KpiApi
from web.adapters.notifier_api import NotifierApi
from web.adapters.rendering import STATIC, Renderer
from web.entrypoints.http import account, admin, alerts, clerk, errors, province, security
from web.entrypoints.http.health import health_router
from web.entrypoints.http.metrics import WebMetrics, web_metrics
from web.service_layer.clerk import Calendar
from web.service_layer.published_catalogue import PublishedCatalogue
from web.settings import WebSettings


@dataclass
class Container:
    settings: WebSettings
    secret: bytes
    catalogue: Catalogue  # the one in force: `published` refreshes it at each signed-in request
    clock: Clock
    calendar: Calendar
    intake: IntakeApi
    kpi: KpiApi
    notifier: NotifierApi
    renderer: Renderer
    metrics: WebMetrics
    clients: list[ApiClient] = field(default_factory=list)
    published: PublishedCatalogue | None = None

    async def refresh_catalogue(self, token: str) -> Catalogue:
        """The catalogue intake publishes (cached briefly), put in `catalogue` for the request's route."""
        if self.published is None:
            self.published = PublishedCatalogue(self.catalogue, self.settings.catalogue_cache_seconds)
        self.catalogue = await self.published.current(self.intake, token)
        return self.catalogue

    @property
    def tz(self) -> ZoneInfo:
        return self.calendar.tz

    async def close(self) -> None:
        for c in self.clients:
            await c.close()


Transports = dict[str, httpx.AsyncBaseTransport]


def build(settings: WebSettings, metrics: WebMetrics, transports: Transports | None = None) -> Container:
    transports = transports or {}
    clients = [
        client(name, url, settings.api_timeout_seconds, transports.get(name))
        for name, url in (
            ("intake", settings.intake_url),
            ("kpi", settings.kpi_url),
            ("notifier", settings.notifier_url),
        )
    ]
    tz = ZoneInfo(settings.timezone)
    catalogue = load_catalogue()
    return Container(
        settings=settings,
        secret=settings.secret(),
        catalogue=catalogue,
        clock=clock_from_iso(settings.clock_start),
        calendar=Calendar(tz),
        intake=IntakeApi(clients[0]),
        kpi=KpiApi(clients[1]),
        notifier=NotifierApi(clients[2]),
        renderer=Renderer(tz, catalogue.province.name, catalogue.province.code),
        metrics=metrics,
        clients=clients,
    )


def create_app(
    settings: WebSettings, build_container: Callable[[WebSettings, WebMetrics], Container] | None = None
) -> FastAPI:
    """`build_container`: tests give fakes of the three APIs; otherwise HTTP clients to them."""
    configure_logging(settings.log_format, settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per API call is noise
    settings.secret()  # fail at start: no cookies or forms without WEB_SECRET
    metrics = web_metrics()
    make = build_container or build

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.container = make(settings, metrics)
        try:
            yield
        finally:
            await app.state.container.close()

    app = FastAPI(
        title="BDHVS web",
        version="0.1.0",
        description="The people's side: server-rendered pages in Vietnamese over the three services' APIs.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # No address of ours ends in "/": one that does (e.g. a path parameter "0%2F") is the 404 page,
        # not starlette's 307 to another address (found by the web fuzz: a status no page documents).
        redirect_slashes=False,
    )
    security.install(app, metrics)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (account, clerk, province, alerts, admin):
        app.include_router(module.router)
    app.include_router(health_router(app, metrics))
    return app
