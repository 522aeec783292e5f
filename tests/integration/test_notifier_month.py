"""A whole reporting month through the notifier, with the clock the test moves: deadline reminders,
overdue notices, escalation, the summary and the consolidation reminder, and a unit's KPI alert,
its weekly repeat and its recovery — each sent once, to the right people, and nothing to units
that reported. Real NATS, PostgreSQL and SMTP on loopback; the default routing rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
from support.events import attainment_update, publish, report_accepted

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OPERATOR = "cds@so.example"
DIRECTORY = f"""unit_code,role,name,email
24,department_operator,Phòng Chuyển đổi số,{OPERATOR}
09313,clerk,Văn phòng xã Chi Lăng,vp.09313@xa.example
09313,chairman,Chủ tịch UBND xã Chi Lăng,ct.09313@xa.example
09292,clerk,Văn phòng xã Phù Lãng,vp.09292@xa.example
09292,chairman,Chủ tịch UBND xã Phù Lãng,ct.09292@xa.example
09193,chairman,Chủ tịch UBND xã Yên Phong,ct.09193@xa.example
07699,clerk,Văn phòng phường Tân Tiến,vp.07699@xa.example
07699,chairman,Chủ tịch UBND phường Tân Tiến,ct.07699@xa.example
"""


def march(day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@asynccontextmanager
async def notifier(
    database_url: str, nats_url: str, smtp: SmtpCatcher, auth: AuthServer, clock: FixedClock, tmp_path: Path
) -> AsyncIterator[Any]:
    async with jetstream(nats_url) as js:
        await ensure_streams(js, ["KPI", "REPORTS"])
    settings = NotifierSettings(
        nats_url=nats_url,
        database_url=database_url,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        auth_url=auth.url,
        notifier_ack_secret="month-test-ack-secret-9d2e",
        ledger_forms=["monthly"],
        ledger_tick_seconds=3600,  # the test ticks by hand; the loops run once at start
        alert_tick_seconds=3600,
        email_rate_per_second=200,
        dispatch_poll_seconds=0.05,
    )
    app = create_app(settings, clock)
    async with running(app) as client:
        client.headers.update(auth.headers("operator"))
        path = tmp_path / "directory.csv"
        path.write_text(DIRECTORY, encoding="utf-8")
        await load_recipients(app.state.container.transactions, path)
        yield client, app.state.container


async def test_a_month_of_deadlines_and_alerts_reaches_exactly_the_right_people_once(
    database_url: str,
    clean_nats: str,
    smtp_server: SmtpCatcher,
    db: asyncpg.Connection,
    auth: AuthServer,
    tmp_path: Path,
) -> None:
    clock = FixedClock(march(14, 9))
    sent: list[tuple[str, str]] = []

    async def step(when: datetime) -> list[tuple[str, str]]:
        """Move the clock, run both ticks until idle, and return what went out, (to, what)."""
        clock.set(when)
        while await container.ledger_tick.run_once() + await container.alert_tick.run_once():
            pass
        await eventually(
            lambda: db.fetchval(
                "SELECT count(*) FROM notifier.notifications "
                "WHERE status = 'pending' AND next_attempt_at <= $1",
                when,
            ),
            lambda n: n == 0,
        )
        rows = await db.fetch(
            "SELECT recipient, kind, idempotency_key FROM notifier.notifications WHERE status = 'sent'"
        )
        # A deadline item names its ledger kind (reminder_3d …) in its key; an alert, its kind.
        now = sorted(
            (
                r["recipient"],
                r["idempotency_key"].split(":")[4] if r["kind"].startswith("deadline") else r["kind"],
            )
            for r in rows
        )
        new = [x for x in now if x not in sent]
        sent.extend(new)
        return new

    async def reported(unit: str, day: int) -> None:
        clock.set(march(day, 10))
        received = march(day, 10)
        event = report_accepted(unit, "2026-03", {"c": (10, 100)}, received=received, on_time=day < 20)
        async with jetstream(clean_nats) as js:
            await publish(js, event, f"bdhvs.report.accepted.{unit}")
        await eventually(
            lambda: consumer_backlog(clean_nats, "REPORTS", "notifier-reports"), lambda n: n == 0
        )

    async def kpi(sequence: int, status: str, previous: str | None) -> None:
        async with jetstream(clean_nats) as js:
            await publish(
                js, attainment_update("09313", sequence, status, previous), "bdhvs.kpi.attainment.09313.c"
            )
        await eventually(lambda: consumer_backlog(clean_nats, "KPI", "notifier-kpi"), lambda n: n == 0)

    async with notifier(database_url, clean_nats, smtp_server, auth, clock, tmp_path) as (client, container):
        assert await step(march(14, 9)) == []
        await reported("07699", 14)  # before any reminder: it never hears from us

        assert await step(march(17)) == [
            ("ct.09193@xa.example", "reminder_3d"),  # no clerk: the chairman
            ("vp.09292@xa.example", "reminder_3d"),
            ("vp.09313@xa.example", "reminder_3d"),
        ]
        clock.set(march(17, 10))
        await kpi(1, "off_track", "insufficient_data")  # Chi Lăng's c falls off track
        assert await step(march(17, 10, 0)) == []  # the group wait (30 s) first
        assert await step(march(17, 10, 1)) == [("ct.09313@xa.example", "kpi_below_target")]

        await reported("09292", 18)
        assert await step(march(19)) == [
            ("ct.09193@xa.example", "reminder_1d"),
            ("vp.09313@xa.example", "reminder_1d"),
        ]
        assert await step(march(20)) == [
            (OPERATOR, "operator_consolidation_reminder"),  # 2 working days before Tuesday 24th
            (OPERATOR, "summary"),
            ("ct.09193@xa.example", "overdue"),
            ("vp.09313@xa.example", "overdue"),
        ]
        await reported("09193", 21)  # late, before the escalation
        assert await step(march(22)) == []  # Sunday: nothing goes out
        assert await step(march(23)) == []
        # Two working days after Friday 20th's overdue notice (it was Sunday 22nd, a day off).
        assert await step(march(24)) == [("ct.09313@xa.example", "escalation")]
        assert await step(march(24, 10, 1)) == []  # a week on: the repeat is queued, then grouped
        assert await step(march(24, 10, 2)) == [("ct.09313@xa.example", "kpi_repeat")]
        await reported("09313", 25)

        clock.set(march(26, 10))
        await kpi(2, "on_track", "off_track")
        assert await step(march(26, 10, 1)) == [("ct.09313@xa.example", "kpi_recovered")]
        assert await step(march(31, 23)) == []
        assert await step(datetime(2026, 4, 3, 10, tzinfo=TZ)) == []  # resolved: no more repeats

        # Everything once, by email: the catcher holds exactly what the log says was sent.
        assert len(smtp_server.messages) == len(sent) == 13
        told = {to for to, _ in sent}
        assert not told & {"vp.07699@xa.example", "ct.07699@xa.example", "ct.09292@xa.example"}
        consolidation = next(
            m
            for m in smtp_server.messages
            if m["X-BDHVS-Idempotency-Key"].startswith("deadline:monthly:2026-03:24:consolidation:")
        )
        text = consolidation.get_body(("plain",)).get_content()
        assert "Chi Lăng" in text and "Phù Lãng" not in text  # missing on the 20th; 09292 reported

        violations = (await client.get("/api/v1/violations", params={"unit": "09313"})).json()["items"]
        assert [(v["worst_status"], v["resolved_status"], v["repeats"]) for v in violations] == [
            ("off_track", "on_track", 1)
        ]
