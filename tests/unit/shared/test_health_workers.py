"""GET /health/workers: each running worker's last successful run (began, ended, did, more), no auth;
and a worker that knows its batch was not full waits for a wake instead of running again."""

from __future__ import annotations

import asyncio
import time

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from bdhvs_shared.health import health_router
from bdhvs_shared.worker import PollingWorker


class TwoBatches(PollingWorker):
    """Does one item per run twice, then finds nothing to do."""

    name = "test-two-batches"

    def __init__(self, poll_seconds: float = 0.01) -> None:
        super().__init__(poll_seconds)
        self.left = 2

    async def run_once(self) -> int:
        if self.left:
            self.left -= 1
            return 1
        return 0


class Failing(PollingWorker):
    name = "test-failing"

    async def run_once(self) -> int:
        raise ConnectionError("down")


async def _workers(app: FastAPI) -> list[dict[str, object]]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        reply = await client.get("/health/workers")
    assert reply.status_code == 200
    return [w for w in reply.json()["workers"] if str(w["name"]).startswith("test-")]


async def test_a_worker_is_listed_once_it_has_run_and_says_when_it_went_idle() -> None:
    app = FastAPI()
    app.include_router(health_router({}, CollectorRegistry()))
    worker, failing = TwoBatches(), Failing(poll_seconds=0.01)
    mark = time.time()
    worker.start()
    failing.start()
    try:
        await asyncio.sleep(0.1)
        listed = await _workers(app)
    finally:
        await worker.stop()
        await failing.stop()
    assert [w["name"] for w in listed] == ["test-two-batches"]  # a worker that never succeeded: absent
    run = listed[0]
    assert run["did"] == 0  # the last run found nothing: idle
    assert run["more"] is False
    assert mark <= float(run["began"]) <= float(run["ended"]) <= time.time()  # type: ignore[arg-type]
    assert await _workers(app) == []  # a stopped worker is no longer listed


class PartBatches(PollingWorker):
    """Does one item per run, in batches of two: a run of one knows nothing more was due."""

    name = "test-part-batches"

    def __init__(self) -> None:
        super().__init__(poll_seconds=60)
        self.runs = 0

    async def run_once(self) -> int:
        self.runs += 1
        return 1

    def more_after(self, done: int) -> bool:
        return done >= 2


async def test_a_run_that_left_nothing_due_waits_for_a_wake_and_says_so() -> None:
    app = FastAPI()
    app.include_router(health_router({}, CollectorRegistry()))
    worker = PartBatches()
    worker.start()
    try:
        await asyncio.sleep(0.05)
        assert worker.runs == 1  # it did something, but not a full batch: no idle run after it
        (run,) = await _workers(app)
        assert (run["did"], run["more"]) == (1, False)
        worker.wake()
        await asyncio.sleep(0.05)
        assert worker.runs == 2
    finally:
        await worker.stop()


async def test_by_default_a_run_that_did_something_runs_again_at_once() -> None:
    worker = TwoBatches(poll_seconds=60)
    worker.start()
    try:
        await asyncio.sleep(0.05)
        assert worker.left == 0  # both batches long before its poll
    finally:
        await worker.stop()
