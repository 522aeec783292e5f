"""The batch consumer gives the same tables and the same KPI events as applying reports one by one.

The same stream (revisions out of order, a duplicate, a poison message, a report dated
after tomorrow, two forms on one day, an unknown indicator) is applied by kpi pulling one
report at a time into one database, then, from the start again, by kpi pulling them all at
once into another.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import asyncpg
import pytest

from bdhvs_shared.nats.streams import ensure_streams
from kpi.bootstrap import create_app
from kpi.settings import KpiSettings
from support.apps import eventually, running
from support.auth_server import NO_AUTH_URL
from support.bus import consumer_backlog, jetstream, stream_messages
from support.databases import copy_of_template, dsn
from support.events import TZ, publish, report_accepted

UNITS = ("09313", "09292", "09193", "09310")


@pytest.fixture
async def other_database_url(postgres_url: str, template_database: str) -> AsyncIterator[str]:
    async with copy_of_template(postgres_url, template_database) as url:
        yield url


async def _publish_all(js: Any) -> None:
    for month in (1, 2, 3):
        for unit in UNITS:
            base = 3000 + 400 * month + 100 * UNITS.index(unit)
            values = {"c": (base, 10000), "d": (base + 2500, 10000)}
            if unit == "09313" and month == 3:
                # Revision 2 before revision 1: the older one must not win.
                later = report_accepted(
                    unit, "2026-03", {"c": (base + 50, 10000), "d": (9900, 10000)}, revision=2
                )
                await publish(js, later, f"bdhvs.report.accepted.{unit}")
            event = report_accepted(unit, f"2026-0{month}", values)
            await publish(js, event, f"bdhvs.report.accepted.{unit}")
            if unit == "09292" and month == 2:  # published twice (past the duplicate window)
                await publish(js, event, f"bdhvs.report.accepted.{unit}", msg_id=str(uuid.uuid4()))
    await js.publish("bdhvs.report.accepted.09313", b'{"not": "an event"}', timeout=5)
    future = report_accepted("09292", "2099-12", {"c": (10000, 10000), "d": (10000, 10000)})
    await publish(js, future, "bdhvs.report.accepted.09292")  # dead-lettered, nothing applied
    received = datetime(2026, 3, 16, 8, tzinfo=TZ)  # the quarterly report, the same day as March's
    quarterly = report_accepted(
        "09193", "2026-03", {"c": (5200, 10000), "d": (6100, 10000), "khong_co": (1, 1)}, received=received
    ).model_copy(update={"form": "quarterly", "period": "2026-Q1", "report_id": uuid.uuid4()})
    await publish(js, quarterly, "bdhvs.report.accepted.09193")
    correction = report_accepted("09310", "2026-01", {"c": (3100, 10000), "d": (5000, 10000)}, revision=2)
    await publish(js, correction, "bdhvs.report.accepted.09310")


async def _run(url: str, database_url: str, batch: int) -> dict[str, Any]:
    settings = KpiSettings(
        nats_url=url,
        database_url=database_url,
        max_deliver=3,
        consume_batch_size=batch,
        auth_url=NO_AUTH_URL,  # the test reads the tables
        BDHVS_CLOCK_START="2026-03-20T09:00:00+07:00",
    )
    db = await asyncpg.connect(dsn(database_url))
    try:
        async with running(create_app(settings)):
            await eventually(lambda: consumer_backlog(url, "REPORTS", "kpi-reports"), lambda n: n == 0, 30)
            await eventually(lambda: db.fetchval("SELECT count(*) FROM kpi.rollup_dirty"), lambda n: n == 0)
            await eventually(
                lambda: db.fetchval("SELECT count(*) FROM kpi.outbox WHERE published_at IS NULL"),
                lambda n: n == 0,
            )
        return await _state(db)
    finally:
        await db.close()


async def _state(db: asyncpg.Connection) -> dict[str, Any]:
    attainment = [
        {k: v for k, v in r.items() if k not in ("updated_at", "last_event_id")}
        for r in await db.fetch("SELECT * FROM kpi.attainment ORDER BY unit_code, indicator")
    ]
    for row in attainment:
        if row["unit_code"] == "24":  # the roll-up worker's pace (how many rounds) is not the consumer's
            row.pop("sequence")
    # Each subject's events in publication order, without what differs by nature (ids, times).
    per_subject: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in await db.fetch("SELECT subject, payload FROM kpi.outbox ORDER BY created_at"):
        if r["subject"].startswith("bdhvs.kpi.attainment.24.") or r["subject"].startswith(
            "bdhvs.kpi.status.24."
        ):
            continue
        body = json.loads(r["payload"])
        per_subject[r["subject"]].append(
            {k: v for k, v in body.items() if k not in ("event_id", "occurred_at")}
        )
    return {
        "attainment": attainment,
        "observations": [
            dict(r) for r in await db.fetch("SELECT * FROM kpi.observations ORDER BY 1, 2, 3, 4")
        ],
        "receipts": [dict(r) for r in await db.fetch("SELECT * FROM kpi.report_receipts ORDER BY 1, 2, 3")],
        "processed": {r[0] for r in await db.fetch("SELECT event_id FROM kpi.processed_events")},
        "events": dict(per_subject),
    }


async def test_a_batch_gives_the_tables_and_events_of_one_by_one(
    clean_nats: str, database_url: str, other_database_url: str
) -> None:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS"])
        await _publish_all(js)
    one_by_one = await _run(clean_nats, database_url, batch=1)
    async with jetstream(clean_nats) as js:  # from the start again, for the batch run
        await js.delete_consumer("REPORTS", "kpi-reports")
    batched = await _run(clean_nats, other_database_url, batch=200)

    assert batched["observations"] == one_by_one["observations"]
    assert len(one_by_one["observations"]) == 4 * 3 * 2 + 2  # the quarterly's c and d; not khong_co
    assert batched["receipts"] == one_by_one["receipts"]
    assert batched["processed"] == one_by_one["processed"] and len(batched["processed"]) == 15
    assert batched["attainment"] == one_by_one["attainment"]
    assert batched["events"] == one_by_one["events"]
    subjects = batched["events"]
    assert len(subjects["bdhvs.kpi.attainment.09313.c"]) == 3  # one per month; the late revision 1 none
    assert [e["sequence"] for e in subjects["bdhvs.kpi.attainment.09292.c"]] == [1, 2, 3]
    assert len(subjects["bdhvs.kpi.reporting.monthly"]) == 12  # one per report first seen
    # Each run dead-lettered the poison message and the report dated 2099-12-14, with their reasons.
    reasons = sorted(m.headers["bdhvs-dlq-reason"] for m in await stream_messages(clean_nats, "DLQ"))
    assert len(reasons) == 4 and all(r.startswith("poison: ") for r in reasons)
    assert sum("report.as_of_in_future" in r and "14/12/2099" in r for r in reasons) == 2, reasons
