"""kpi's use cases on a real database, without broker or HTTP, with a clock the test moves."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

from bdhvs_shared.clock import FixedClock
from bdhvs_shared.db.engine import PoolSettings, make_engine, make_sessionmaker
from bdhvs_shared.worker import PollingWorker
from kpi.bootstrap import build_service
from kpi.service_layer.apply_report import KpiService
from kpi.settings import KpiSettings


class IdleRelay(PollingWorker):
    """Stands in for the outbox relay: the test reads the outbox itself."""

    async def run_once(self) -> int:
        return 0


@contextlib.asynccontextmanager
async def kpi_service(database_url: str, now: datetime) -> AsyncIterator[KpiService]:
    """A KpiService whose clock is a FixedClock at `now`."""
    settings = KpiSettings(nats_url="nats://unused.invalid:4222", database_url=database_url)
    engine = make_engine(settings.database_url, PoolSettings(size=2))
    built = build_service(settings, make_sessionmaker(engine))
    built.clock = FixedClock(now)
    try:
        yield built
    finally:
        await engine.dispose()
