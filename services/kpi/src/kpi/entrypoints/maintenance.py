"""`kpi rebuild` and `kpi verify`: one-shot compositions (no HTTP, no consumer, no relay) for the CLI."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from bdhvs_shared.db.engine import PoolSettings, make_engine, make_sessionmaker
from bdhvs_shared.nats.connection import connect
from bdhvs_shared.progress import NO_PROGRESS, Progress
from kpi.adapters.rebuild_store import PgRebuildStore
from kpi.adapters.streams import NatsReportStream, consumer_is_pulled
from kpi.bootstrap import build_service, catalogue_follower
from kpi.entrypoints.consumers import reports_consumer
from kpi.entrypoints.rebuild_workers import replays_in_processes
from kpi.service_layer.apply_report import CONSUMER
from kpi.service_layer.rebuild import RebuildResult, rebuild
from kpi.service_layer.verify import verify
from kpi.settings import KpiSettings


async def run_rebuild(
    settings: KpiSettings, batch: int, force: bool, progress: Progress = NO_PROGRESS, workers: int = 1
) -> RebuildResult:
    """`kpi rebuild`: the one-shot composition (no HTTP, no consumer, no relay); the replay in
    `workers` processes when more than one (`entrypoints.rebuild_workers`)."""
    nc = await connect(settings.nats_url, "kpi-rebuild")
    engine = make_engine(settings.database_url, PoolSettings(size=2), "kpi-maintenance")
    try:
        js = nc.jetstream()
        consumer = reports_consumer()
        if not force and await consumer_is_pulled(js, consumer.stream, consumer.durable):
            raise ServiceRunning(
                f"một tiến trình kpi đang đọc {consumer.durable}: dừng dịch vụ kpi trước khi dựng lại "
                "(hoặc dùng --force nếu chắc chắn)"
            )
        sessions = make_sessionmaker(engine)
        service = build_service(settings, sessions)
        await catalogue_follower(js, service, settings.catalogue_poll_seconds).run_once()  # as the service
        now = service.clock.now()
        today = now.astimezone(service.tz).date()
        replays = None
        if workers > 1:
            indicators = service.catalogue.indicators
            replays = replays_in_processes(
                settings, workers, indicators, today, batch, service.early_days, progress
            )
        with collector_paused():
            return await rebuild(
                PgRebuildStore(engine, sessions),
                NatsReportStream(js),
                service.projector,
                CONSUMER,
                now,
                today,
                batch,
                early_days=service.early_days,
                progress=progress,
                replays=replays,
            )
    finally:
        await engine.dispose()
        await nc.close()


async def run_verify(
    settings: KpiSettings, with_stream: bool, progress: Progress = NO_PROGRESS
) -> tuple[list[str], str]:
    """`kpi verify`: recompute and compare; safe while the service runs (it only reads)."""
    nc = await connect(settings.nats_url, "kpi-verify")  # the published catalogue, if not the stream
    engine = make_engine(settings.database_url, PoolSettings(size=2), "kpi-maintenance")
    try:
        service = build_service(settings, make_sessionmaker(engine))
        js = nc.jetstream()
        await catalogue_follower(js, service, settings.catalogue_poll_seconds).run_once()  # as the service
        stream = NatsReportStream(js) if with_stream else None
        with collector_paused():
            return await verify(
                service.transactions,
                stream,
                service.projector,
                service.today(),
                early_days=service.early_days,
                progress=progress,
            )
    finally:
        await engine.dispose()
        await nc.close()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a one-shot replay, run once at the end.

    A replay keeps hundreds of thousands of objects alive (the folds, the replayed ids) and makes
    millions of short-lived ones; each full collection walked all of them again, half of the fold's
    CPU. The replay's objects make no reference cycles to speak of (reference counting frees them).
    """
    gc.freeze()  # what the imports made is never garbage
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


class ServiceRunning(RuntimeError):
    """A kpi instance is consuming: rebuilding now could lose the reports it applies meanwhile."""
