"""KPI against real NATS and PostgreSQL: projections, exactly-once, ordering, dead letters."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest

from bdhvs_shared.events import AttainmentUpdated, StatusChanged
from bdhvs_shared.nats.streams import ensure_streams
from kpi.bootstrap import create_app
from kpi.settings import KpiSettings
from support.apps import eventually, running
from support.auth_server import auth_server
from support.bus import consumer_backlog, jetstream, stream_messages
from support.events import publish, report_accepted


@pytest.fixture
async def kpi(database_url: str, clean_nats: str) -> AsyncIterator[httpx.AsyncClient]:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS"])
    async with auth_server(database_url, clean_nats) as auth:
        settings = KpiSettings(
            nats_url=clean_nats,
            database_url=database_url,
            auth_url=auth.url,
            max_deliver=3,
            BDHVS_CLOCK_START="2026-03-20T09:00:00+07:00",
        )
        async with running(create_app(settings)) as client:
            client.headers.update(auth.headers("operator"))
            yield client


async def attainment(client: httpx.AsyncClient, unit: str, indicator: str) -> dict[str, Any] | None:
    rows = (await client.get("/api/v1/attainment", params={"unit": unit, "indicator": indicator})).json()
    return rows[0] if rows else None


async def test_worked_example_a_through_the_pipeline(kpi: httpx.AsyncClient, clean_nats: str) -> None:
    async with jetstream(clean_nats) as js:
        for period, numerator in (("2026-01", 4000), ("2026-02", 4300), ("2026-03", 4700)):
            event = report_accepted("09313", period, {"c": (numerator, 10000)})
            await publish(js, event, "bdhvs.report.accepted.09313")
    row = await eventually(
        lambda: attainment(kpi, "09313", "c"), lambda r: r is not None and r["sequence"] == 3
    )
    assert row is not None
    assert row["attainment"] == pytest.approx(0.47)
    assert row["pace_pp_per_30d"] == pytest.approx(3.55, abs=0.005)
    assert row["projected"] == pytest.approx(0.8153, abs=0.00005)
    assert row["required_pace_pp_per_30d"] == pytest.approx(5.45, abs=0.005)
    assert row["status"] == "off_track"
    # The roll-up worker may have seen January alone first; it ends on March's figures.
    province = await eventually(
        lambda: attainment(kpi, "24", "c"), lambda r: r is not None and r["numerator"] == 4700
    )
    assert province is not None and province["units_reporting"] == 1 and province["units_expected"] == 99
    assert province["numerator"] == 4700 and province["status"] == "off_track"

    messages = await eventually(
        lambda: stream_messages(clean_nats, "KPI", "bdhvs.kpi.attainment.09313.c"),
        lambda m: len(m) == 3,
    )
    updates = [AttainmentUpdated.model_validate_json(m.data) for m in messages]
    # January alone: no pace yet; with February the pace (3 pp/30 days) already misses 100 %.
    assert [(u.sequence, u.status, u.previous_status) for u in updates] == [
        (1, "insufficient_data", None),
        (2, "off_track", "insufficient_data"),
        (3, "off_track", "off_track"),
    ]
    last = updates[-1]
    assert messages[-1].headers["Nats-Msg-Id"] == str(last.event_id)

    # The status subject carries the changes only (March stayed off_track), with CloudEvents headers.
    changes = await eventually(
        lambda: stream_messages(clean_nats, "KPI", "bdhvs.kpi.status.09313.c"), lambda m: len(m) == 2
    )
    statuses = [StatusChanged.model_validate_json(m.data) for m in changes]
    assert [(s.sequence, s.from_status, s.to_status) for s in statuses] == [
        (1, None, "insufficient_data"),
        (2, "insufficient_data", "off_track"),
    ]
    assert statuses[1].attainment == pytest.approx(0.43) and statuses[1].target is not None
    assert changes[1].headers["ce-type"] == "vn.bacninh.bdhvs.kpi.status.v1"
    assert changes[1].headers["ce-subject"] == "bdhvs.kpi.status.09313.c"
    assert changes[1].headers["Nats-Msg-Id"] == str(statuses[1].event_id)


async def test_a_redelivered_event_changes_nothing(
    kpi: httpx.AsyncClient, clean_nats: str, db: asyncpg.Connection
) -> None:
    event = report_accepted("09313", "2026-03", {"c": (4700, 10000), "d": (7900, 10000)})
    async with jetstream(clean_nats) as js:
        await publish(js, event, "bdhvs.report.accepted.09313")
        # The same event under another message id, as a retry after the duplicate window would be.
        await publish(js, event, "bdhvs.report.accepted.09313", msg_id=str(uuid.uuid4()))
    await eventually(lambda: db.fetchval("SELECT count(*) FROM kpi.processed_events"), lambda n: n == 1)
    await eventually(lambda: stream_messages(clean_nats, "REPORTS", "bdhvs.report.>"), lambda m: len(m) == 2)
    await eventually(lambda: consumer_backlog(clean_nats, "REPORTS", "kpi-reports"), lambda n: n == 0)
    row = await eventually(lambda: attainment(kpi, "09313", "c"), lambda r: r is not None)
    assert row is not None and row["sequence"] == 1
    assert await db.fetchval("SELECT count(*) FROM kpi.observations") == 2
    await eventually(lambda: db.fetchval("SELECT count(*) FROM kpi.rollup_dirty"), lambda n: n == 0)
    # Unit + province, for c and d, once each: an attainment snapshot and the first status;
    # and the monthly form's completeness once.
    subjects = [r["subject"] for r in await db.fetch("SELECT subject FROM kpi.outbox")]
    assert sorted(subjects) == sorted(
        [
            *(
                f"bdhvs.kpi.{kind}.{unit}.{indicator}"
                for kind in ("attainment", "status")
                for unit in ("09313", "24")
                for indicator in ("c", "d")
            ),
            "bdhvs.kpi.reporting.monthly",
        ]
    )


async def test_an_older_revision_arriving_late_does_not_win(kpi: httpx.AsyncClient, clean_nats: str) -> None:
    newer = report_accepted("09313", "2026-03", {"c": (5000, 10000)}, revision=2)
    older = report_accepted("09313", "2026-03", {"c": (4000, 10000)}, revision=1)
    async with jetstream(clean_nats) as js:
        await publish(js, newer, "bdhvs.report.accepted.09313")
        await publish(js, older, "bdhvs.report.accepted.09313")
    await eventually(lambda: stream_messages(clean_nats, "REPORTS", "bdhvs.report.>"), lambda m: len(m) == 2)
    row = await eventually(lambda: attainment(kpi, "09313", "c"), lambda r: r is not None)
    assert row is not None and row["numerator"] == 5000


async def test_a_poison_message_goes_to_the_dead_letter_stream(
    kpi: httpx.AsyncClient, clean_nats: str
) -> None:
    async with jetstream(clean_nats) as js:
        await js.publish("bdhvs.report.accepted.09313", b'{"not": "an event"}', timeout=5)
        good = report_accepted("09313", "2026-03", {"c": (4700, 10000)})
        await publish(js, good, "bdhvs.report.accepted.09313")
    dead = await eventually(lambda: stream_messages(clean_nats, "DLQ", "bdhvs.dlq.>"), lambda m: len(m) == 1)
    assert dead[0].subject == "bdhvs.dlq.kpi-reports.bdhvs.report.accepted.09313"
    assert dead[0].headers["bdhvs-dlq-reason"].startswith("poison")
    assert json.loads(dead[0].data) == {"not": "an event"}
    # The consumer was not blocked by the poison message.
    assert await eventually(lambda: attainment(kpi, "09313", "c"), lambda r: r is not None)
    metrics = (await kpi.get("/metrics")).text
    assert 'bdhvs_events_dead_lettered_total{consumer="kpi-reports"} 1.0' in metrics


async def test_a_report_dated_after_tomorrow_is_dead_lettered_and_moves_no_snapshot(
    kpi: httpx.AsyncClient, clean_nats: str, db: asyncpg.Connection
) -> None:
    """The issue's probe: a commune off track on c and d reports 2099-12 (figures as of 2099-12-14)."""
    async with jetstream(clean_nats) as js:
        for period, numerator in (("2026-01", 4000), ("2026-02", 4300), ("2026-03", 4700)):
            event = report_accepted("09292", period, {"c": (numerator, 10000), "d": (numerator, 10000)})
            await publish(js, event, "bdhvs.report.accepted.09292")
    await eventually(lambda: attainment(kpi, "24", "d"), lambda r: r is not None and r["numerator"] == 4700)
    await eventually(lambda: db.fetchval("SELECT count(*) FROM kpi.rollup_dirty"), lambda n: n == 0)
    commune = await attainment(kpi, "09292", "c")
    assert commune is not None and commune["status"] == "off_track"

    async def state() -> list[list[asyncpg.Record]]:
        return [
            await db.fetch(f"SELECT * FROM kpi.{table} ORDER BY 1, 2")
            for table in ("attainment", "observations", "report_receipts", "outbox")
        ]

    before = await state()
    future = report_accepted("09292", "2099-12", {"c": (10000, 10000), "d": (10000, 10000)})
    async with jetstream(clean_nats) as js:
        await publish(js, future, "bdhvs.report.accepted.09292")
    dead = await eventually(lambda: stream_messages(clean_nats, "DLQ", "bdhvs.dlq.>"), lambda m: len(m) == 1)
    assert dead[0].subject == "bdhvs.dlq.kpi-reports.bdhvs.report.accepted.09292"
    reason = dead[0].headers["bdhvs-dlq-reason"]
    assert reason.startswith("poison: report.as_of_in_future") and "14/12/2099" in reason, reason
    assert json.loads(dead[0].data)["event_id"] == str(future.event_id)
    await eventually(lambda: consumer_backlog(clean_nats, "REPORTS", "kpi-reports"), lambda n: n == 0)
    await eventually(lambda: db.fetchval("SELECT count(*) FROM kpi.rollup_dirty"), lambda n: n == 0)

    assert await state() == before  # no snapshot, observation, receipt or KPI event
    assert not await db.fetchval(
        "SELECT count(*) FROM kpi.processed_events WHERE event_id = $1", future.event_id
    )
    today = date(2026, 3, 20)  # the fixture's clock
    for indicator in ("c", "d"):
        province = await attainment(kpi, "24", indicator)
        assert province is not None and date.fromisoformat(province["as_of"]) <= today
    metrics = (await kpi.get("/metrics")).text
    assert 'bdhvs_events_dead_lettered_total{consumer="kpi-reports"} 1.0' in metrics


async def test_an_agency_figure_for_the_province_is_not_added_to_the_communes(
    kpi: httpx.AsyncClient, clean_nats: str
) -> None:
    async with jetstream(clean_nats) as js:
        await publish(
            js, report_accepted("09313", "2026-03", {"d": (900, 1000)}), "bdhvs.report.accepted.09313"
        )
        police = report_accepted("24", "2026-03", {"d": (1_200_000, 2_600_000)})
        await publish(js, police.model_copy(update={"form": "police_monthly"}), "bdhvs.report.accepted.24")
        await publish(
            js, report_accepted("09292", "2026-03", {"d": (500, 1000)}), "bdhvs.report.accepted.09292"
        )
    # The province's series is the police's figure; the communes' roll-up does not add to it.
    province = await eventually(
        lambda: attainment(kpi, "24", "d"),
        lambda r: r is not None and r["numerator"] == 1_200_000,
    )
    assert province is not None
    assert (province["numerator"], province["denominator"]) == (1_200_000, 2_600_000)
    assert (province["units_reporting"], province["units_expected"]) == (1, 1)
    commune = await eventually(lambda: attainment(kpi, "09292", "d"), lambda r: r is not None)
    assert commune is not None and commune["numerator"] == 500
    settled = await attainment(kpi, "24", "d")
    assert settled is not None and settled["numerator"] == 1_200_000
