"""NATS down: an accepted report waits in the outbox and is published when NATS is back."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from bdhvs_local.nats_server import EmbeddedNats
from intake.adapters.tokens import create_token
from intake.bootstrap import create_app
from intake.domain.principal import Role
from intake.settings import IntakeSettings
from support.apps import eventually, running
from support.bus import stream_messages
from support.events import REPORT_BODY

REPORT = REPORT_BODY


async def test_a_report_accepted_while_nats_is_down_is_published_after(
    database_url: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    nats = EmbeddedNats(tmp_path / "nats").start()  # our own server: this test stops it
    try:
        app = create_app(IntakeSettings(nats_url=nats.url, database_url=database_url))
        async with running(app) as client:
            async with app.state.container.sessions() as session, session.begin():
                token = await create_token(
                    session, Role.COMMUNE, "09313", "t", app.state.container.clock.now()
                )
            nats.kill()

            reply = await client.post(
                "/api/v1/reports", json=REPORT, headers={"Authorization": f"Bearer {token}"}
            )
            assert reply.status_code == 201, reply.text  # accepted: stored with its outbox row
            ready = await eventually(lambda: client.get("/health/ready"), lambda r: r.status_code == 503)
            assert ready.json()["checks"]["nats"] == "down"
            assert await db.fetchval("SELECT count(*) FROM intake.outbox WHERE published_at IS NULL") == 1

            nats.start()  # same port, same JetStream store
            await eventually(
                lambda: db.fetchval("SELECT count(*) FROM intake.outbox WHERE published_at IS NULL"),
                lambda n: n == 0,
                timeout=30,
            )
            messages = await stream_messages(nats.url, "REPORTS", "bdhvs.report.>")
            assert [m.headers["Nats-Msg-Id"] for m in messages] == [reply.json()["event_id"]]
    finally:
        nats.stop()
