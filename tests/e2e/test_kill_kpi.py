"""SIGKILL the kpi process while reports stream in: nothing lost, nothing applied twice."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict

import asyncpg
import httpx
import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.events import AttainmentUpdated
from support.apps import eventually
from support.bus import consumer_backlog, stream_messages
from support.events import TZ
from support.processes import RunningSystem
from support.recompute import differences, expected_projections, latest_values

UNITS = ["09313", "09292", "09193", "09238", "09202", "09205", "09208", "09319"]


def reports(count: int) -> list[dict[str, object]]:
    """Reports over 8 units and 3 months; later rounds resubmit (new revisions)."""
    out = []
    cycle = itertools.cycle(itertools.product(("2026-01", "2026-02", "2026-03"), UNITS))
    for i in range(count):
        period, unit = next(cycle)
        month = int(period[-2:])
        base = 3000 + 400 * month + (i % 7) * 10
        out.append(
            {
                "unit_code": unit,
                "form": "monthly",
                "period": period,
                "values": {
                    "c": {"numerator": base, "denominator": 10000},
                    "d": {"numerator": base + 2500, "denominator": 10000},
                },
            }
        )
    return out


async def test_kpi_killed_mid_stream_applies_every_report_exactly_once(
    system: RunningSystem, clean_nats: str, db: asyncpg.Connection
) -> None:
    token = system.cli("intake", "token", "create", "--role", "operator")
    headers = {"Authorization": f"Bearer {token}"}
    catalogue = load_catalogue()
    units = [u for u in UNITS if catalogue.unit(u) is not None]
    assert len(units) == len(UNITS), "test units must exist in the catalogue"
    accepted: list[str] = []

    async def post_all(client: httpx.AsyncClient) -> None:
        for body in reports(120):
            reply = await client.post(f"{system.url('intake')}/api/v1/reports", json=body, headers=headers)
            assert reply.status_code == 201, reply.text
            accepted.append(reply.json()["event_id"])
            await asyncio.sleep(0.005)

    async with httpx.AsyncClient(timeout=10) as client:
        poster = asyncio.create_task(post_all(client))
        await eventually(lambda: _value(len(accepted)), lambda n: n >= 30, timeout=30)
        system.services["kpi"].kill()  # SIGKILL: no shutdown hook, an in-flight message is never acked
        await asyncio.sleep(1.0)
        await asyncio.to_thread(system.restart, "kpi")
        await poster

    assert len(accepted) == 120
    await eventually(
        lambda: consumer_backlog(clean_nats, "REPORTS", "kpi-reports"), lambda n: n == 0, timeout=60
    )
    # The province roll-up follows shortly after (a worker, from the work list): wait until it has
    # caught up too, then until the outbox has published what it staged.
    await eventually(lambda: db.fetchval("SELECT count(*) FROM kpi.rollup_dirty"), lambda n: n == 0)
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM kpi.outbox WHERE published_at IS NULL"),
        lambda n: n == 0,
    )

    processed = {str(r["event_id"]) for r in await db.fetch("SELECT event_id FROM kpi.processed_events")}
    assert processed == set(accepted)  # every accepted revision applied, and (primary key) only once

    today = (await db.fetchval("SELECT max(updated_at) FROM kpi.attainment")).astimezone(TZ).date()
    expected = expected_projections(catalogue, await latest_values(db), today)
    live = [dict(r) for r in await db.fetch("SELECT * FROM kpi.attainment")]
    assert differences(expected, live) == []
    # The service's own check agrees: projections, observations and the REPORTS stream (exit 0).
    assert system.cli("kpi", "verify").splitlines()[-1].startswith("Không có khác biệt")

    # Downstream saw each snapshot once and in order: sequences per subject are 1..n with no repeat.
    messages = await stream_messages(clean_nats, "KPI", "bdhvs.kpi.attainment.>")
    sequences: dict[str, list[int]] = defaultdict(list)
    for message in messages:
        sequences[message.subject].append(AttainmentUpdated.model_validate_json(message.data).sequence)
    for subject, seen in sequences.items():
        assert seen == list(range(1, len(seen) + 1)), subject
    final = {(r["unit_code"], r["indicator"]): r["sequence"] for r in live}
    for (unit, indicator), sequence in final.items():
        assert sequences[f"bdhvs.kpi.attainment.{unit}.{indicator}"][-1] == sequence


async def _value(value: object) -> object:
    return value


pytestmark = pytest.mark.timeout(180)
