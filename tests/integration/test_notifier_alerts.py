"""Notifier against real NATS, PostgreSQL and a loopback SMTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from bdhvs_local.smtp_catcher import SmtpCatcher
from bdhvs_shared.nats.streams import ensure_streams
from notifier.adapters.directory_files import DEMO_FILE
from notifier.bootstrap import create_app
from notifier.service_layer.directory_admin import load_recipients
from notifier.settings import NotifierSettings
from support.apps import eventually, running
from support.auth_server import NO_AUTH_URL, AuthServer
from support.bus import consumer_backlog, jetstream, stream_messages
from support.events import attainment_update, publish

update = attainment_update


@pytest.fixture
async def notifier(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, auth: AuthServer
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["KPI"])
    settings = NotifierSettings(
        nats_url=clean_nats,
        database_url=database_url,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        ledger_enabled=False,  # the deadline ledger has its own tests
        auth_url=auth.url,
        alert_group_wait_seconds=0,  # at once: grouping has its own tests (test_notifier_violations)
        alert_tick_seconds=0.05,
        notifier_ack_secret="alerts-test-ack-secret-0c4f",
        # The real clock may say night or Sunday: alerts go out at any hour here (the working-hours
        # gate has its own tests: tests/unit/notifier/test_working_hours.py, the ledger's).
        alerts_outside_working_hours=True,
    )
    app = create_app(settings)
    async with running(app) as client:
        client.headers.update(auth.headers("operator"))
        await load_recipients(app.state.container.transactions, DEMO_FILE)
        yield client, app


async def test_an_off_track_unit_gets_one_vietnamese_email(
    notifier: Any, clean_nats: str, smtp_server: SmtpCatcher, db: asyncpg.Connection
) -> None:
    client, _ = notifier
    async with jetstream(clean_nats) as js:
        await publish(js, update("09313", 1, "insufficient_data", None), "bdhvs.kpi.attainment.09313.c")
        await publish(
            js, update("09313", 2, "off_track", "insufficient_data"), "bdhvs.kpi.attainment.09313.c"
        )
        await publish(js, update("09313", 3, "off_track", "off_track"), "bdhvs.kpi.attainment.09313.c")
    mails = await eventually(lambda: _async(smtp_server.messages), lambda m: len(m) >= 1)
    await eventually(lambda: consumer_backlog(clean_nats, "KPI", "notifier-kpi"), lambda n: n == 0)
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM notifier.notifications WHERE status = 'sent'"),
        lambda n: n == 1,
    )
    mails = smtp_server.messages
    assert len(mails) == 1, [m["Subject"] for m in mails]
    mail = mails[0]
    assert mail["To"] == "chutich.09313@bacninh.example"
    assert "Chi Lăng" in mail["Subject"] and "chậm tiến độ" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert "47,00 %" in text and "81,53 %" in text
    log = (await client.get("/api/v1/notifications", params={"unit": "09313"})).json()
    entries = [(n["status"], n["recipient"]) for n in log["items"]]
    assert entries == [("sent", "chutich.09313@bacninh.example")]
    sent = await eventually(
        lambda: stream_messages(clean_nats, "ALERTS", "bdhvs.notification.>"), lambda m: len(m) == 1
    )
    assert sent[0].subject == "bdhvs.notification.sent.09313"


async def test_smtp_down_keeps_the_notification_pending_and_sends_it_later(
    database_url: str, clean_nats: str, tmp_path: Any, db: asyncpg.Connection
) -> None:
    from bdhvs_local.ports import free_port

    port = free_port()  # nothing listens here yet
    async with jetstream(clean_nats) as js:
        await ensure_streams(js, ["KPI"])
    settings = NotifierSettings(
        nats_url=clean_nats,
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        ledger_enabled=False,
        auth_url=NO_AUTH_URL,  # this test reads the database, not the API
        alert_group_wait_seconds=0,
        alert_tick_seconds=0.05,
        notifier_ack_secret="alerts-test-ack-secret-0c4f",
        # The real clock may say night or Sunday: alerts go out at any hour here (the working-hours
        # gate has its own tests: tests/unit/notifier/test_working_hours.py, the ledger's).
        alerts_outside_working_hours=True,
    )
    app = create_app(settings)
    async with running(app):
        await load_recipients(app.state.container.transactions, DEMO_FILE)
        async with jetstream(clean_nats) as js:
            await publish(js, update("09313", 1, "off_track", None), "bdhvs.kpi.attainment.09313.c")
        await eventually(
            lambda: db.fetchval("SELECT attempts FROM notifier.notifications"),
            lambda n: n is not None and n >= 1,
        )
        assert await db.fetchval("SELECT status FROM notifier.notifications") == "pending"
        catcher = SmtpCatcher(tmp_path / "late", port=port).start()
        try:
            await eventually(lambda: _async(catcher.messages), lambda m: len(m) == 1, timeout=15)
            assert await eventually(
                lambda: db.fetchval("SELECT status FROM notifier.notifications"),
                lambda s: s == "sent",
            )
        finally:
            catcher.stop()


async def _async(value: Any) -> Any:
    return value


async def test_the_delivery_log_is_for_the_provinces_operators_only(notifier: Any, auth: AuthServer) -> None:
    client, _ = notifier
    assert (await client.get("/api/v1/notifications")).status_code == 200  # an operator
    for who in ("commune", "police"):
        refused = await client.get("/api/v1/notifications", headers=auth.headers(who))
        assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "auth.forbidden"
    missing = await client.get("/api/v1/ledger", headers={"Authorization": ""})
    assert missing.status_code == 401
