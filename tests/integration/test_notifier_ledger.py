"""The deadline ledger against real NATS, PostgreSQL and a loopback SMTP server, with a clock the
test moves: who gets which reminder, overdue notice, escalation and summary, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from bdhvs_local.smtp_catcher import SmtpCatcher
from bdhvs_shared.clock import FixedClock
from bdhvs_shared.db.engine import make_engine, make_sessionmaker
from notifier.adapters.stores import transactions
from notifier.bootstrap import create_app
from notifier.entrypoints.workers.ledger_tick import LedgerTick
from notifier.service_layer.directory_admin import load_recipients
from notifier.service_layer.ledger import DeadlineLedger
from notifier.settings import NotifierSettings
from support.apps import eventually, running
from support.auth_server import AuthServer
from support.bus import consumer_backlog, jetstream
from support.events import publish, report_accepted

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


def march(day: int, hour: int = 8) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=TZ)


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    path = tmp_path / "recipients.csv"
    path.write_text(DIRECTORY, encoding="utf-8")
    return path


@pytest.fixture
def settings(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, auth: AuthServer
) -> NotifierSettings:
    return NotifierSettings(
        nats_url=clean_nats,
        database_url=database_url,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        ledger_forms=["monthly"],
        ledger_tick_seconds=3600,  # the test ticks by hand; the loop only runs once at start
        email_rate_per_second=200,
        dispatch_poll_seconds=0.05,
        auth_url=auth.url,
        notifier_ack_secret="ledger-test-ack-secret-77aa",
    )


@asynccontextmanager
async def notifier(
    settings: NotifierSettings, clock: FixedClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    app = create_app(settings, clock)
    async with running(app) as client:
        yield client, app.state.container


async def tick(container: Any, db: asyncpg.Connection) -> None:
    """One tick until nothing is due, then wait until the dispatchers sent every notification."""
    while await container.ledger_tick.run_once():
        pass
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM notifier.notifications WHERE status = 'pending'"),
        lambda n: n == 0,
    )


def received(smtp: SmtpCatcher) -> list[tuple[str, str]]:
    """(address, ledger kind) of every mail, from its idempotency key deadline:form:period:unit:kind:…"""
    out = []
    for mail in smtp.messages:
        key = mail["X-BDHVS-Idempotency-Key"]
        out.append((mail["To"], key.split(":")[4]))
    return sorted(out)


async def report(nats_url: str, unit: str) -> None:
    async with jetstream(nats_url) as js:
        await publish(js, report_accepted(unit, "2026-03", {"c": (10, 100)}), f"bdhvs.report.accepted.{unit}")
    await eventually(lambda: consumer_backlog(nats_url, "REPORTS", "notifier-reports"), lambda n: n == 0)


async def test_a_month_of_deadlines_reaches_exactly_the_right_people_once(
    settings: NotifierSettings,
    directory: Path,
    smtp_server: SmtpCatcher,
    db: asyncpg.Connection,
    auth: AuthServer,
) -> None:
    clock = FixedClock(march(14, 9))
    async with notifier(settings, clock) as (client, container):
        client.headers.update(auth.headers("operator"))
        await load_recipients(container.transactions, directory)
        await tick(container, db)
        assert received(smtp_server) == []
        await report(settings.nats_url, "07699")  # before any reminder: it never hears from us
        seen: list[tuple[str, str]] = []

        async def step(when: datetime) -> list[tuple[str, str]]:
            clock.set(when)
            await tick(container, db)
            new = [m for m in received(smtp_server) if m not in seen]
            seen.extend(new)
            return sorted(new)

        assert await step(march(16, 23)) == []
        assert await step(march(17)) == [
            ("ct.09193@xa.example", "reminder_3d"),  # no clerk: the chairman
            ("vp.09292@xa.example", "reminder_3d"),
            ("vp.09313@xa.example", "reminder_3d"),
        ]
        clock.set(march(18, 10))
        await report(settings.nats_url, "09292")
        assert await step(march(19)) == [
            ("ct.09193@xa.example", "reminder_1d"),
            ("vp.09313@xa.example", "reminder_1d"),
        ]
        assert await step(march(20, 7)) == []
        assert await step(march(20)) == [
            (OPERATOR, "consolidation"),  # two working days before Tuesday 24th (CONSOLIDATION_DAY)
            (OPERATOR, "summary"),
            ("ct.09193@xa.example", "overdue"),
            ("vp.09313@xa.example", "overdue"),
        ]
        clock.set(march(21, 10))
        await report(settings.nats_url, "09193")  # late, but before the escalation
        assert await step(march(22)) == []  # Sunday: the escalation waits for 2 working days
        assert await step(march(24)) == [("ct.09313@xa.example", "escalation")]
        assert await step(march(31, 23)) == []
        assert len(smtp_server.messages) == len(seen) == 10

        summary = next(m for m in smtp_server.messages if m["To"] == OPERATOR)
        text = summary.get_body(("plain",)).get_content()
        assert "97 trên 99 đơn vị chưa nộp" in text
        assert "Chi Lăng (mã 09313)" in text and "Yên Phong (mã 09193)" in text
        assert "09292" not in text and "07699" not in text
        assert "Báo cáo tháng (tháng 03/2026)" in summary["Subject"]

        async def ledger(**params: Any) -> list[tuple[str, str]]:
            body = (await client.get("/api/v1/ledger", params=params)).json()
            return [(i["kind"], i["status"]) for i in body["items"]]

        assert await ledger(unit="09292") == [
            ("reminder_3d", "sent"),
            ("reminder_1d", "cancelled"),
            ("overdue", "cancelled"),
            ("escalation", "cancelled"),
        ]
        assert await ledger(unit="09193", status="cancelled") == [("escalation", "cancelled")]
        assert await ledger(unit="07699", status="sent") == []
        page = (await client.get("/api/v1/ledger", params={"form": "monthly", "period": "2026-03"})).json()
        assert page["total"] == 99 * 4 + 2  # and the operators' summary and consolidation reminder
        assert await ledger(kind="consolidation") == [("consolidation", "sent")]
        assert (await client.get("/api/v1/ledger", params={"status": "bogus"})).status_code == 422


async def test_two_ticks_racing_send_each_item_once(
    settings: NotifierSettings, directory: Path, smtp_server: SmtpCatcher, db: asyncpg.Connection
) -> None:
    clock = FixedClock(march(16, 9))
    async with notifier(settings, clock) as (_, container):
        await load_recipients(container.transactions, directory)
        await container.ledger.plan()
        engine = make_engine(settings.database_url)  # a second replica: its own connections
        try:
            own: DeadlineLedger = container.ledger
            other = DeadlineLedger(
                transactions(make_sessionmaker(engine)),
                own.catalogue,
                own.messages,
                clock,
                own.policy,
                own.forms,
            )
            ticks = [LedgerTick(own, 3600), LedgerTick(other, 3600)]
            clock.set(march(20, 9))
            due = await db.fetchval(
                "SELECT count(*) FROM notifier.deadline_ledger WHERE status = 'pending' AND due_at <= $1",
                clock.now(),
            )
            handled = 0
            while done := sum(await asyncio.gather(*(t.run_once() for t in ticks))):
                handled += done
        finally:
            await engine.dispose()
        for dispatcher in container.dispatchers:
            dispatcher.wake()
        await tick(container, db)
    # two reminders and the overdue notice per unit, one summary, the operators' consolidation reminder
    # (2 working days before Tuesday 24th)
    assert due == 99 * 3 + 2
    assert handled == due  # no row handled twice
    assert received(smtp_server) == [
        (OPERATOR, "consolidation"),
        (OPERATOR, "summary"),
        ("ct.09193@xa.example", "overdue"),
        ("vp.07699@xa.example", "overdue"),
        ("vp.09292@xa.example", "overdue"),
        ("vp.09313@xa.example", "overdue"),
    ]  # the reminders' moment had passed: skipped, not sent
    skipped = await db.fetchval("SELECT count(*) FROM notifier.deadline_ledger WHERE status = 'skipped'")
    assert skipped == 99 * 2


async def test_a_notifier_down_over_the_deadline_catches_up_once(
    settings: NotifierSettings, directory: Path, smtp_server: SmtpCatcher, db: asyncpg.Connection
) -> None:
    clock = FixedClock(march(16, 9))
    async with notifier(settings, clock) as (_, container):
        await load_recipients(container.transactions, directory)
        await tick(container, db)
    assert received(smtp_server) == []
    # Down from the 16th until Tuesday 24th 10:00: both reminders, the overdue notice, the escalation
    # (two working days after Friday 20th) passed, and the consolidation day (24th) came, so the
    # operators' reminder (Friday 20th) is stale; a report came meanwhile, and the restarted notifier
    # reads it before chasing anyone.
    async with jetstream(settings.nats_url) as js:
        await publish(js, report_accepted("09292", "2026-03", {"c": (1, 2)}), "bdhvs.report.accepted.09292")
    clock.set(march(24, 10))
    for _restart in range(2):  # the second restart finds nothing left to do
        async with notifier(settings, clock) as (_, container):
            await eventually(
                lambda: consumer_backlog(settings.nats_url, "REPORTS", "notifier-reports"), lambda n: n == 0
            )
            await tick(container, db)
    assert received(smtp_server) == [
        (OPERATOR, "summary"),
        ("ct.07699@xa.example", "escalation"),
        ("ct.09193@xa.example", "escalation"),
        ("ct.09193@xa.example", "overdue"),
        ("ct.09313@xa.example", "escalation"),
        ("vp.07699@xa.example", "overdue"),
        ("vp.09313@xa.example", "overdue"),
    ]
    statuses = await db.fetch(
        "SELECT kind, status, count(*) AS n FROM notifier.deadline_ledger GROUP BY kind, status ORDER BY 1, 2"
    )
    assert {(r["kind"], r["status"]): r["n"] for r in statuses} == {
        ("consolidation", "skipped"): 1,
        ("escalation", "cancelled"): 1,
        ("escalation", "sent"): 98,
        ("overdue", "cancelled"): 1,
        ("overdue", "sent"): 98,
        ("reminder_1d", "cancelled"): 1,
        ("reminder_1d", "skipped"): 98,
        ("reminder_3d", "cancelled"): 1,
        ("reminder_3d", "skipped"): 98,
        ("summary", "sent"): 1,
    }
