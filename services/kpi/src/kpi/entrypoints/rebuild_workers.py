"""`kpi rebuild --workers N`: the replay of REPORTS in N processes, one partition of the units each.

Each worker is forked from the rebuild (so it inherits the catalogue and settings, nothing pickled on
the way in), opens its own NATS connection and database pool, replays the subjects of its units
(`domain.partition`) and stages their observations, receipts and event ids itself; it sends back its
folded observations and counts, which the rebuild merges (disjoint: per unit) before the snapshots
and the swap. A worker that fails fails the rebuild (the staging area is dropped, the live tables are
untouched). Progress: the messages the workers kept, of the stream's (each walks all of it), summed
twice a second.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from typing import Any

from bdhvs_shared.db.engine import PoolSettings, make_engine, make_sessionmaker
from bdhvs_shared.nats.connection import connect
from bdhvs_shared.progress import Progress
from kpi.adapters.rebuild_store import PgRebuildStore
from kpi.adapters.streams import NatsReportStream
from kpi.domain.partition import Partition, partitions
from kpi.service_layer.rebuild import Replayed, Replays, replay_into
from kpi.settings import KpiSettings


@dataclass(frozen=True)
class _Job:
    """What a worker replays (inherited through the fork, not pickled)."""

    settings: KpiSettings
    partition: Partition
    indicators: Collection[str]
    today: date
    batch: int
    early_days: int


class _Counts:
    """A worker's progress, written where the rebuild reads it (shared memory)."""

    def __init__(self, read: Any, totals: Any, index: int) -> None:
        self._read, self._totals, self._index = read, totals, index

    def update(self, done: int, total: int | None = None) -> None:
        self._read[self._index] = done
        if total is not None:
            self._totals[self._index] = total

    def advance(self, amount: int = 1) -> None:
        self._read[self._index] += amount


def replays_in_processes(
    settings: KpiSettings,
    count: int,
    indicators: Collection[str],
    today: date,
    batch: int,
    early_days: int,
    progress: Progress,
) -> Replays:
    async def replays() -> list[Replayed]:
        context = multiprocessing.get_context("fork")  # inherit, do not import everything again
        read, totals = context.Array("q", count, lock=False), context.Array("q", count, lock=False)
        answers: list[Connection] = []
        workers = []
        for partition in partitions(count):
            receive, send = context.Pipe(duplex=False)
            counts = _Counts(read, totals, partition.index)
            job = _Job(settings, partition, indicators, today, batch, early_days)
            worker = context.Process(
                target=_work, args=(job, counts, send), name=f"kpi-rebuild-{partition.index}"
            )
            worker.start()
            send.close()  # the worker's end: recv then sees the worker's exit
            answers.append(receive)
            workers.append(worker)
        shown = asyncio.ensure_future(_show(progress, read, totals))
        try:
            results = await asyncio.gather(*(asyncio.to_thread(_answer, a) for a in answers))
        finally:
            shown.cancel()
            for worker in workers:
                worker.join(5)
                if worker.is_alive():
                    worker.terminate()
        progress.update(sum(read), max(totals))
        return results

    return replays


def _answer(receive: Connection) -> Replayed:
    try:
        answer = receive.recv()
    except EOFError:
        raise RuntimeError("một tiến trình dựng lại dừng giữa chừng (không trả kết quả)") from None
    if isinstance(answer, str):
        raise RuntimeError(f"một tiến trình dựng lại lỗi: {answer}")
    assert isinstance(answer, Replayed)
    return answer


async def _show(progress: Progress, read: Any, totals: Any) -> None:
    while True:
        await asyncio.sleep(0.5)
        progress.update(sum(read), max(totals) or None)


def _work(job: _Job, counts: _Counts, send: Connection) -> None:
    """In the worker process: replay the partition, send the result (or the error, as text)."""
    try:
        send.send(asyncio.run(_replay(job, counts)))
    except BaseException as exc:  # told to the rebuild, which fails with it
        send.send(f"{type(exc).__name__}: {exc}")
    finally:
        send.close()


async def _replay(job: _Job, counts: _Counts) -> Replayed:
    nc = await connect(job.settings.nats_url, f"kpi-rebuild-{job.partition.index}")
    engine = make_engine(job.settings.database_url, PoolSettings(size=1), "kpi-maintenance")
    try:
        store = PgRebuildStore(engine, make_sessionmaker(engine))
        stream = NatsReportStream(nc.jetstream())
        return await replay_into(
            store, stream, job.indicators, job.today, job.batch, job.early_days, counts, job.partition
        )
    finally:
        await engine.dispose()
        await nc.close()
