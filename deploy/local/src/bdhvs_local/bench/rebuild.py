"""Rebuild throughput: N synthetic ReportAccepted events straight onto REPORTS, then `kpi rebuild`.

The events are what intake publishes (valid against the contract), spread over every
commune and month of 2025-2026 with rising revisions, so the rebuild folds many
revisions into a few thousand observations as it would after years of corrections.
Run it with kpi (and the notifier, which also consumes REPORTS) stopped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import nats

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SUBJECT = "bdhvs.report.accepted.{unit}"


@dataclass(frozen=True)
class RebuildFigures:
    published: int  # synthetic events published for the run
    publish_per_s: float  # how fast they went onto the stream (JetStream async publish)
    stored: int  # every message on REPORTS when the rebuild started (synthetic + the pipeline's)
    seconds: float  # `kpi rebuild` wall time, process start to exit
    output: str

    @property
    def reports_per_s(self) -> float:
        return self.stored / self.seconds if self.seconds else 0.0


def _template() -> str:
    """A ReportAccepted body as intake writes it, with {placeholders} for what varies."""
    from bdhvs_shared.events import IndicatorValue, ReportAccepted

    received = datetime(2026, 3, 15, 9, tzinfo=TZ)
    event = ReportAccepted.new(
        producer="intake",
        correlation_id=None,
        occurred_at=received,
        report_id=uuid.uuid4(),
        revision=1,
        unit_code="09313",
        form="monthly",
        period="2026-03",
        as_of=date(2026, 3, 14),
        values={k: IndicatorValue(numerator=1, denominator=10000) for k in ("c", "d")},
        received_at=received,
        deadline=datetime(2026, 3, 20, tzinfo=TZ),
        on_time=True,
        submitted_by="commune:09313",
        catalogue_version="bench",
    )
    body = event.model_dump(mode="json")
    marks = {"event_id": "@eid@", "correlation_id": "@eid@", "report_id": "@rid@", "unit_code": "@unit@"}
    body |= marks | {"period": "@period@", "as_of": "@as_of@", "submitted_by": "commune:@unit@"}
    body |= {
        "revision": "@revision@",
        "values": {k: {**v, "numerator": "@n@"} for k, v in body["values"].items()},
    }
    text = json.dumps(body).replace("{", "{{").replace("}", "}}")
    for name in ("revision", "n"):  # numbers: no quotes
        text = text.replace(f'"@{name}@"', "{" + name + "}")
    for name in ("eid", "rid", "unit", "period", "as_of"):
        text = text.replace(f"@{name}@", "{" + name + "}")
    return text


def synthetic_events(count: int, units: list[str]) -> Iterator[tuple[str, bytes]]:
    """(subject, body) of `count` report revisions cycling over units × the 24 months of 2025-2026."""
    template = _template()
    periods = [(f"{y}-{m:02d}", f"{y}-{m:02d}-14") for y in (2025, 2026) for m in range(1, 13)]
    reports = [(u, p, a, uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{u}/{p}")) for p, a in periods for u in units]
    for i in range(count):
        unit, period, as_of, report_id = reports[i % len(reports)]
        body = template.format(
            eid=uuid.uuid4(),
            rid=report_id,
            unit=unit,
            period=period,
            as_of=as_of,
            revision=i // len(reports) + 1,
            n=1000 + i % 8000,
        )
        yield SUBJECT.format(unit=unit), body.encode()


async def publish_synthetic(nats_url: str, count: int, units: list[str]) -> tuple[float, int]:
    """Publish the events (async, every ack awaited); their rate and the messages now on REPORTS."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream(publish_async_max_pending=20000)
        start = time.perf_counter()
        for subject, body in synthetic_events(count, units):
            await js.publish_async(subject, body)
        await js.publish_async_completed()
        rate = count / (time.perf_counter() - start) if count else 0.0
        stored = int((await js.stream_info("REPORTS")).state.messages)
        return rate, stored
    finally:
        await nc.close()


def run_rebuild(env: dict[str, str], batch_size: int) -> tuple[float, str]:
    """`python -m kpi rebuild --force` as an operator runs it; its wall time and output."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "kpi", "rebuild", "--force", "--batch-size", str(batch_size)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"kpi rebuild failed: {result.stderr.strip()[-3000:]}")
    return seconds, result.stdout


async def measure(
    nats_url: str, env: dict[str, str], count: int, units: list[str], batch_size: int
) -> RebuildFigures:
    rate, stored = await publish_synthetic(nats_url, count, units)
    seconds, output = run_rebuild(env, batch_size)
    return RebuildFigures(count, rate, stored, seconds, output)
