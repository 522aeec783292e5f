"""Nothing goes out on a day off: a below-target alert that falls due on a Saturday waits for
Monday 07:30, the next working moment (WORKING_HOURS, the catalogue's calendar). Real NATS,
PostgreSQL and SMTP on loopback; the injectable clock the test moves."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from bdhvs_local.smtp_catcher import SmtpCatcher
from bdhvs_shared.clock import FixedClock
from bdhvs_shared.nats.streams import ensure_streams
from notifier.bootstrap import create_app
from notifier.service_layer.directory_admin import load_recipients
from notifier.settings import NotifierSettings
from support.apps import eventually, running
from support.auth_server import AuthServer
from support.bus import consumer_backlog, jetstream
from support.events import attainment_update, publish

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CHAIRMAN = "ct.09313@xa.example"
DIRECTORY = f"unit_code,role,name,email\n09313,chairman,Chủ tịch UBND xã Chi Lăng,{CHAIRMAN}\n"


def march(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


async def test_an_alert_due_on_a_saturday_is_held_to_monday_0730(
    database_url: str,
    clean_nats: str,
    smtp_server: SmtpCatcher,
    db: asyncpg.Connection,
    auth: AuthServer,
    tmp_path: Path,
) -> None:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["KPI"])
    settings = NotifierSettings(
        nats_url=clean_nats,
        database_url=database_url,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        auth_url=auth.url,
        notifier_ack_secret="hours-test-ack-secret-51c0",
        ledger_enabled=False,
        alert_group_wait_seconds=0,
        alert_tick_seconds=3600,  # the test ticks by hand
        dispatch_poll_seconds=0.05,
    )  # WORKING_HOURS 07:30-17:00 and ALERTS_OUTSIDE_WORKING_HOURS false: the defaults
    clock = FixedClock(march(21, 10))  # Saturday 21 March 2026, 10:00
    app = create_app(settings, clock)
    async with running(app):
        container = app.state.container
        path = tmp_path / "directory.csv"
        path.write_text(DIRECTORY, encoding="utf-8")
        await load_recipients(container.transactions, path)
        async with jetstream(clean_nats) as js:
            await publish(
                js, attainment_update("09313", 1, "off_track", None), "bdhvs.kpi.attainment.09313.c"
            )
        await eventually(lambda: consumer_backlog(clean_nats, "KPI", "notifier-kpi"), lambda n: n == 0)
        await container.alert_tick.run_once()
        row = await eventually(
            lambda: db.fetchrow("SELECT status, next_attempt_at FROM notifier.notifications"),
            lambda r: r is not None,
        )
        assert row["status"] == "pending"
        assert row["next_attempt_at"] == march(23, 7, 30)  # Monday, the working day's start

        for moment in (march(21, 16), march(22, 9), march(23, 7, 29)):  # Saturday, Sunday, Monday 07:29
            clock.set(moment)
            for dispatcher in container.dispatchers:  # the polling loops run too, on the same clock
                assert await dispatcher.run_once() == 0
            await asyncio.sleep(0.2)
            assert smtp_server.messages == []
        clock.set(march(23, 7, 30))
        await eventually(
            lambda: db.fetchval("SELECT status FROM notifier.notifications"), lambda s: s == "sent"
        )
        (mail,) = await eventually(lambda: _messages(smtp_server), lambda m: len(m) == 1)
        assert mail["To"] == CHAIRMAN


async def _messages(smtp: SmtpCatcher) -> list[Any]:
    return list(smtp.messages)
