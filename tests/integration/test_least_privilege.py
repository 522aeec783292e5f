"""Least privilege on the real servers: deploy/nats/accounts.conf and deploy/postgres/roles.sql.

A service is refused outside its subjects and its schema, the read-only user can only read KPI
events, and the whole pipeline (outbox publishing, durable consumers, DLQ, email) works with each
service on its own NATS user and its own database role.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy
from sqlalchemy.engine import make_url

from bdhvs_local.smtp_catcher import SmtpCatcher
from bdhvs_shared.db.migrations import upgrade
from bdhvs_shared.nats.streams import ensure_streams
from support.apps import eventually, running
from support.auth_server import auth_server
from support.bus import stream_messages
from support.secure import SecuredNats, apply_roles, start_secured_nats


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[SecuredNats]:
    bus = start_secured_nats(tmp_path / "nats")
    yield bus
    bus.server.stop()


@contextlib.asynccontextmanager
async def client_as(bus: SecuredNats, user: str, inbox: str = "_INBOX") -> AsyncIterator[Any]:
    """A connection as `user`; permission errors the server sends are kept in `nc.refusals`."""
    refusals: asyncio.Queue[str] = asyncio.Queue()

    async def on_error(exc: Exception) -> None:
        await refusals.put(str(exc))

    nc = await nats.connect(bus.url(user), inbox_prefix=inbox, error_cb=on_error, max_reconnect_attempts=0)
    nc.refusals = refusals  # type: ignore[attr-defined]
    try:
        yield nc
    finally:
        await nc.close()


async def refused(nc: Any) -> str:
    return str(await asyncio.wait_for(nc.refusals.get(), timeout=10))


async def test_intake_publishes_reports_but_is_refused_kpi_subjects(secured: SecuredNats) -> None:
    async with client_as(secured, "admin") as admin:
        await ensure_streams(admin.jetstream(), ["REPORTS", "KPI"])
    async with client_as(secured, "intake", "_INBOX_intake") as nc:
        js = nc.jetstream()
        ack = await js.publish("bdhvs.report.accepted.09313", b"{}", timeout=5)
        assert ack.stream == "REPORTS"
        await nc.publish("bdhvs.kpi.attainment.09313.c", b"{}")
        assert "permissions violation for publish" in (await refused(nc)).lower()
        await nc.subscribe("bdhvs.report.>")  # neither may it listen on the bus
        await nc.flush()
        assert "permissions violation for subscription" in (await refused(nc)).lower()
    async with client_as(secured, "admin") as admin:
        js = admin.jetstream()
        assert (await js.stream_info("REPORTS")).state.messages == 1
        assert (await js.stream_info("KPI")).state.messages == 0


async def test_the_read_only_user_reads_kpi_events_and_cannot_publish(secured: SecuredNats) -> None:
    async with client_as(secured, "admin") as admin:
        js = admin.jetstream()
        await ensure_streams(js, ["REPORTS", "KPI"])
        await js.publish("bdhvs.kpi.attainment.09313.c", b'{"n": 1}', timeout=5)
    async with client_as(secured, "subscriber") as nc:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            "bdhvs.kpi.>",
            durable="dashboard",
            stream="KPI",
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
        )
        [message] = await sub.fetch(1, timeout=5)
        assert message.data == b'{"n": 1}'
        await message.ack()
        await nc.publish("bdhvs.kpi.attainment.09313.c", b"forged")
        assert "permissions violation for publish" in (await refused(nc)).lower()
        with pytest.raises(nats.errors.TimeoutError):  # the services' consumers are not theirs
            await js.delete_consumer("KPI", "notifier-kpi")
        with pytest.raises(nats.errors.TimeoutError):  # nor are the reports
            await js.stream_info("REPORTS")
    async with client_as(secured, "admin") as admin:
        assert (await admin.jetstream().stream_info("KPI")).state.messages == 1


async def test_the_kpi_role_cannot_read_intake_tables(postgres_url: str) -> None:
    name = f"lp_{uuid.uuid4().hex[:12]}"
    admin_dsn = make_url(postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin_dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        urls = apply_roles(make_url(postgres_url).set(database=name).render_as_string(hide_password=False))
        # A fresh database: each service migrates its own schema with its own role.
        for service, url in urls.items():
            await asyncio.to_thread(upgrade, migrations_of(service), url)
        kpi = await asyncpg.connect(_plain(urls["kpi"]))
        try:
            assert await kpi.fetchval("SELECT count(*) FROM kpi.observations") == 0
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await kpi.fetch("SELECT * FROM intake.reports")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await kpi.execute("CREATE TABLE public.stray (x int)")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await kpi.execute("CREATE SCHEMA stray")
        finally:
            await kpi.close()
        intake = await asyncpg.connect(_plain(urls["intake"]))
        try:
            assert await intake.fetchval("SELECT count(*) FROM intake.reports") == 0
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await intake.fetch("SELECT * FROM notifier.notifications")
        finally:
            await intake.close()
    finally:
        conn = await asyncpg.connect(admin_dsn)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def migrations_of(service: str) -> Path:
    module = importlib.import_module(service)
    return Path(str(module.__file__)).parent / "adapters" / "migrations"


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def test_the_pipeline_runs_with_each_service_on_its_own_user_and_role(
    secured: SecuredNats, database_url: str, smtp_server: SmtpCatcher
) -> None:
    from intake.adapters.tokens import create_token
    from intake.bootstrap import create_app as intake_app
    from intake.domain.principal import Role
    from intake.settings import IntakeSettings
    from kpi.bootstrap import create_app as kpi_app
    from kpi.settings import KpiSettings
    from notifier.adapters.directory_files import DEMO_FILE
    from notifier.bootstrap import create_app as notifier_app
    from notifier.service_layer.directory_admin import load_recipients
    from notifier.settings import NotifierSettings

    # The test database was migrated by the admin; roles.sql hands its tables to the services.
    db = apply_roles(database_url)
    for service, url in db.items():  # and each can still run its migrations (already at head)
        await asyncio.to_thread(upgrade, migrations_of(service), url)
    clock = {"BDHVS_CLOCK_START": "2026-03-16T09:00:00+07:00"}
    intake = intake_app(
        IntakeSettings(nats_url=secured.url("intake"), database_url=db["intake"], **clock)  # type: ignore[arg-type]
    )
    # kpi and notifier check tokens with intake over HTTP (intake's own role and NATS user)
    async with auth_server(db["intake"], secured.url("intake")) as auth:
        kpi = kpi_app(
            KpiSettings(
                nats_url=secured.url("kpi"), database_url=db["kpi"], max_deliver=3, auth_url=auth.url, **clock
            )
        )  # type: ignore[arg-type]
        notifier = notifier_app(
            NotifierSettings(
                nats_url=secured.url("notifier"),
                database_url=db["notifier"],
                smtp_host=smtp_server.host,
                smtp_port=smtp_server.port,
                auth_url=auth.url,
                notifier_ack_secret="least-privilege-ack-key-2f",
                alert_group_wait_seconds=0,
                alert_tick_seconds=0.1,
                **clock,  # type: ignore[arg-type]
            )
        )
        async with running(kpi) as kpi_client, running(notifier), running(intake) as intake_client:
            await load_recipients(notifier.state.container.transactions, DEMO_FILE)
            container = intake.state.container
            async with container.sessions() as session, session.begin():
                token = await create_token(session, Role.COMMUNE, "09313", "test", container.clock.now())
            for period, c in (("2026-01", 4000), ("2026-02", 4300), ("2026-03", 4700)):
                body = {
                    "unit_code": "09313",
                    "form": "monthly",
                    "period": period,
                    "values": {
                        "c": {"numerator": c, "denominator": 10000},
                        "d": {"numerator": 9000, "denominator": 10000},
                    },
                }
                reply = await intake_client.post(
                    "/api/v1/reports", json=body, headers={"Authorization": f"Bearer {token}"}
                )
                assert reply.status_code == 201, reply.text

            async def attainment() -> list[dict[str, Any]]:
                reply = await kpi_client.get(
                    "/api/v1/attainment",
                    params={"unit": "09313", "indicator": "c"},
                    headers={"Authorization": f"Bearer {token}"},  # the commune reads its own unit
                )
                return list(reply.json())

            await eventually(attainment, lambda rows: bool(rows) and rows[0]["sequence"] == 3, timeout=20)
            mails = await eventually(
                lambda: _value(smtp_server.messages),
                lambda m: any(x["To"] == "chutich.09313@bacninh.example" for x in m),
                timeout=20,
            )
            assert mails
            admin_url = secured.url("admin")
            sent = await eventually(
                lambda: stream_messages(admin_url, "ALERTS", "bdhvs.notification.>"), lambda m: len(m) >= 1
            )
            assert sent[0].subject.startswith("bdhvs.notification.sent.")

            # A message no consumer can apply reaches the DLQ under each consumer's own user.
            async with client_as(secured, "admin") as admin:
                await admin.jetstream().publish("bdhvs.report.accepted.09313", b"not json", timeout=5)
            dead = await eventually(lambda: stream_messages(admin_url, "DLQ"), lambda m: len(m) == 2)
            assert {m.subject for m in dead} == {
                "bdhvs.dlq.kpi-reports.bdhvs.report.accepted.09313",
                "bdhvs.dlq.notifier-reports.bdhvs.report.accepted.09313",
            }

            metrics = (await kpi_client.get("/metrics")).text
            assert 'bdhvs_consumer_num_pending{consumer="kpi-reports"}' in metrics

            # An admin publishes a catalogue version under intake's user; kpi and notifier read it.
            async with container.sessions() as session, session.begin():
                admin_token = await create_token(session, Role.ADMIN, None, "test", container.clock.now())
            admin_headers = {"Authorization": f"Bearer {admin_token}"}
            forms = (
                await intake_client.get("/api/v1/admin/catalogue/files/forms.yaml", headers=admin_headers)
            ).json()
            changed = forms["content"].replace("due_day: 20\n", "due_day: 19\n", 1)
            published = await intake_client.put(
                "/api/v1/admin/catalogue/files/forms.yaml",
                json={"content": changed, "summary": "hạn nộp trước ngày 19"},
                headers=admin_headers,
            )
            assert published.status_code == 200, published.text
            version = published.json()["version"]
            kpi_service = kpi.state.container.service

            async def followed() -> str:  # the relay publishes the version shortly after the commit
                await kpi.state.container.follower.run_once()
                await notifier.state.container.follower.run_once()
                return str(kpi_service.catalogue.version)

            assert await eventually(followed, lambda seen: seen == version, timeout=20) == version
    assert secured.violations() == []


async def _value(value: object) -> object:
    return value
