"""Two kpi replicas on one durable consumer give the result of one (real NATS and PostgreSQL)."""

from __future__ import annotations

import json
import random
import uuid
from collections import defaultdict

import asyncpg

from bdhvs_shared.nats.streams import ensure_streams
from kpi.bootstrap import create_app
from kpi.entrypoints.maintenance import run_verify
from kpi.settings import KpiSettings
from support.apps import eventually, running
from support.auth_server import NO_AUTH_URL
from support.bus import consumer_backlog, jetstream
from support.events import publish, report_accepted

UNITS = ("09313", "09292", "09238", "09193", "09187")


async def test_two_replicas_agree_with_a_recomputation_and_number_each_subject_once(
    database_url: str, clean_nats: str, db: asyncpg.Connection
) -> None:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS"])
    settings = KpiSettings(
        nats_url=clean_nats,
        database_url=database_url,
        auth_url=NO_AUTH_URL,  # nothing here reads the API
        BDHVS_CLOCK_START="2026-03-25T09:00:00+07:00",
    )
    # Every unit, three months, three revisions each: the same units and indicators are
    # updated by both replicas at once, revisions arrive in any order, some twice.
    rng = random.Random(7)
    events = [
        report_accepted(
            unit,
            period,
            {"c": (1000 * month + 100 * revision, 10000), "d": (900 * month + revision, 10000)},
            revision=revision,
            report_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{unit}/{period}"),
        )
        for unit in UNITS
        for month, period in enumerate(("2026-01", "2026-02", "2026-03"), start=1)
        for revision in (1, 2, 3)
    ]
    rng.shuffle(events)
    again = rng.sample(events, 10)
    async with running(create_app(settings)), running(create_app(settings)):
        async with jetstream(clean_nats) as js:
            for event in events:
                await publish(js, event, f"bdhvs.report.accepted.{event.unit_code}")
            for event in again:  # a redelivery under a new message id
                await publish(js, event, f"bdhvs.report.accepted.{event.unit_code}", msg_id=str(uuid.uuid4()))
        await eventually(lambda: consumer_backlog(clean_nats, "REPORTS", "kpi-reports"), lambda n: n == 0, 60)
        await eventually(lambda: db.fetchval("SELECT count(*) FROM kpi.rollup_dirty"), lambda n: n == 0, 30)

    assert await db.fetchval("SELECT count(*) FROM kpi.processed_events") == len(events)
    differences, summary = await run_verify(settings, with_stream=True)
    assert differences == [], summary
    latest = await db.fetchval(
        "SELECT numerator FROM kpi.attainment WHERE unit_code = '09313' AND indicator = 'c'"
    )
    assert latest == 3000 + 300  # March, revision 3: the highest revision won

    sequences: dict[str, list[int]] = defaultdict(list)
    for row in await db.fetch(
        "SELECT subject, payload FROM kpi.outbox WHERE subject LIKE 'bdhvs.kpi.attainment.%'"
    ):
        sequences[row["subject"]].append(json.loads(row["payload"])["sequence"])
    assert len(sequences) == 2 * (len(UNITS) + 1)  # c and d of each unit and the province
    for subject, numbers in sequences.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), subject  # no gap, no repeat
