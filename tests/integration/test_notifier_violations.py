"""Below-target alerts against real NATS, PostgreSQL, a loopback SMTP server and a loopback SMS
gateway, with a clock the test moves: grouping, repeats, acknowledge, recovery, quiet hours,
inhibition by the province, and redeliveries that send nothing twice."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from pytest_httpserver import HTTPServer

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
from support.peers import loopback_server, script, sms_accepted

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SHARED = "cds@so.example"  # the department's operator follows three communes
PROVINCE = "tinh@so.example"
DIRECTORY = f"""unit_code,role,name,email,phone,webhook_url,channels
09313,department_operator,Phòng Chuyển đổi số,{SHARED},,,email
09292,department_operator,Phòng Chuyển đổi số,{SHARED},,,email
09193,department_operator,Phòng Chuyển đổi số,{SHARED},,,email
24,department_operator,Phòng Chuyển đổi số,{SHARED},,,email
09313,chairman,Chủ tịch UBND xã Chi Lăng,ct.09313@xa.example,0912345678,,"sms,email"
24,leader,Lãnh đạo Sở,{PROVINCE},,,email
"""
START = datetime(2026, 3, 16, 9, 0, tzinfo=TZ)


@pytest.fixture
def gateway() -> Iterator[HTTPServer]:
    with loopback_server() as server:
        script(server, "/sms/send", sms_accepted)
        yield server


@pytest.fixture
def settings(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, gateway: HTTPServer, auth: AuthServer
) -> NotifierSettings:
    return NotifierSettings(
        nats_url=clean_nats,
        database_url=database_url,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        sms_gateway_url=gateway.url_for("/sms/send"),
        sms_api_key="sms-test-key-7e1a",
        sms_secret_key="sms-test-secret-7e1a",
        ledger_enabled=False,  # the deadline ledger has its own tests
        alert_tick_seconds=3600,  # the test ticks by hand; the loop only runs once at start
        email_rate_per_second=200,
        sms_rate_per_second=200,
        dispatch_poll_seconds=0.05,
        notifier_ack_secret="violations-test-ack-secret-41f0",
        notifier_public_url="https://bdhvs.bacninh.example/notifier",
        auth_url=auth.url,
        # Alerts at any hour: these tests keep SMS quiet hours, not working hours (own tests).
        alerts_outside_working_hours=True,
    )


@asynccontextmanager
async def notifier(
    settings: NotifierSettings, clock: FixedClock, tmp_path: Path, auth: AuthServer
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """The notifier; its client carries an operator's token."""
    async with jetstream(settings.nats_url) as js:
        await ensure_streams(js, ["KPI"])
    path = tmp_path / "recipients.csv"
    path.write_text(DIRECTORY, encoding="utf-8")
    app = create_app(settings, clock)
    async with running(app) as client:
        client.headers.update(auth.headers("operator"))
        await load_recipients(app.state.container.transactions, path)
        yield client, app.state.container


class Kpi:
    """Publishes a unit's KPI updates with increasing sequences, then waits until they are applied."""

    def __init__(self, nats_url: str) -> None:
        self.nats_url = nats_url
        self.sequences: dict[str, int] = {}
        self.previous: dict[str, str | None] = {}

    async def status(self, *changes: tuple[str, str]) -> None:
        async with jetstream(self.nats_url) as js:
            for unit, status in changes:
                self.sequences[unit] = self.sequences.get(unit, 0) + 1
                event = attainment_update(unit, self.sequences[unit], status, self.previous.get(unit))
                self.previous[unit] = status
                await publish(js, event, f"bdhvs.kpi.attainment.{unit}.c")
        await self.applied()

    async def applied(self) -> None:
        await eventually(lambda: consumer_backlog(self.nats_url, "KPI", "notifier-kpi"), lambda n: n == 0)


async def tick(container: Any, db: asyncpg.Connection) -> None:
    """Tick until nothing is left to group, then wait until every due notification went out."""
    while await container.alert_tick.run_once():
        pass
    now = container.clock.now()
    await eventually(
        lambda: db.fetchval(
            "SELECT count(*) FROM notifier.notifications WHERE status = 'pending' AND next_attempt_at <= $1",
            now,
        ),
        lambda n: n == 0,
    )


def mails(smtp: SmtpCatcher, to: str) -> list[EmailMessage]:
    return [m for m in smtp.messages if m["To"] == to]


def text_of(mail: EmailMessage) -> str:
    return str(mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]


async def violations(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/violations", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_three_units_within_the_group_wait_make_one_email_to_a_shared_recipient(
    settings: NotifierSettings,
    smtp_server: SmtpCatcher,
    db: asyncpg.Connection,
    tmp_path: Path,
    auth: AuthServer,
) -> None:
    clock, kpi = FixedClock(START), Kpi(settings.nats_url)
    async with notifier(settings, clock, tmp_path, auth) as (client, container):
        await kpi.status(("09313", "off_track"))
        clock.advance(timedelta(seconds=10))
        await kpi.status(("09292", "at_risk"), ("09193", "off_track"))
        clock.advance(timedelta(seconds=19))  # 29 s after the first: still waiting
        await tick(container, db)
        assert smtp_server.messages == []
        clock.advance(timedelta(seconds=1))
        await tick(container, db)
        shared = mails(smtp_server, SHARED)
        assert len(shared) == 1, [m["Subject"] for m in shared]
        assert shared[0]["Subject"] == "[BDHVS] 3 thông báo chỉ tiêu: 3 cảnh báo mới"
        text = text_of(shared[0])
        for name in ("Chi Lăng (mã 09313)", "Phù Lãng (mã 09292)", "Yên Phong (mã 09193)"):
            assert name in text, name
        # The chairman of 09313 has "sms,email": an email and a text (09:00 is not in quiet hours).
        assert len(mails(smtp_server, "ct.09313@xa.example")) == 1
        log = (await client.get("/api/v1/notifications", params={"channel": "sms"})).json()["items"]
        assert [(n["recipient"], n["status"], n["kind"]) for n in log] == [
            ("84912345678", "sent", "kpi_below_target")
        ]
        opened = await violations(client, state="open")
        assert sorted((v["unit_code"], v["last_status"]) for v in opened) == [
            ("09193", "off_track"),
            ("09292", "at_risk"),
            ("09313", "off_track"),
        ]
        assert all(v["alerted_at"] is not None and v["resolved_at"] is None for v in opened)
        assert await violations(client, state="resolved") == []
        assert [v["unit_code"] for v in await violations(client, unit="09292", indicator="c")] == ["09292"]


async def test_repeat_acknowledge_new_status_and_recovery_once(
    settings: NotifierSettings,
    smtp_server: SmtpCatcher,
    db: asyncpg.Connection,
    tmp_path: Path,
    auth: AuthServer,
) -> None:
    clock, kpi = FixedClock(START), Kpi(settings.nats_url)
    async with notifier(settings, clock, tmp_path, auth) as (client, container):
        await kpi.status(("09292", "at_risk"))
        clock.advance(timedelta(seconds=30))
        await tick(container, db)
        assert len(mails(smtp_server, SHARED)) == 1
        clock.advance(timedelta(days=6, hours=23))
        await tick(container, db)
        assert len(mails(smtp_server, SHARED)) == 1  # not a week yet
        clock.advance(timedelta(hours=1))
        await tick(container, db)  # the repeat is queued, then waits the group wait
        clock.advance(timedelta(seconds=30))
        await tick(container, db)
        repeat = mails(smtp_server, SHARED)[1]
        assert repeat["Subject"].startswith("[BDHVS] Nhắc lại: Phù Lãng")
        assert "từ ngày 16/03/2026" in text_of(repeat)

        # Opening the email's link acknowledges nothing (a mail scanner follows links): it shows a page
        # whose button POSTs the token; that POST acknowledges, as its recipient; a tampered link does not.
        link = re.search(r"https://bdhvs\.bacninh\.example/notifier(/api/v1/violations/\S+)", text_of(repeat))
        assert link is not None
        forged = await client.get(link.group(1).replace("token=", "token=9"))
        assert forged.status_code == 403
        opened = await client.get(link.group(1))
        assert opened.status_code == 200 and 'method="post"' in opened.text
        assert "Đã xác nhận" not in opened.text
        [violation] = await violations(client, unit="09292")
        assert violation["acknowledged_by"] is None and violation["silenced"] is False
        token = link.group(1).split("token=")[1]
        path = link.group(1).split("?")[0] + "-link"
        refused = await client.post(path, data={"token": token.replace(".", "9.", 1)})
        assert refused.status_code == 403
        acked = await client.post(path, data={"token": token, "reason": "Đã giao xã rà soát"})
        assert acked.status_code == 200 and "Đã xác nhận" in acked.text
        [violation] = await violations(client, unit="09292")
        assert violation["acknowledged_by"] == SHARED and violation["silenced"] is True
        audit = await client.get("/api/v1/admin/audit", params={"entity": "violation"})
        assert [(a["actor"], a["after"]["reason"]) for a in audit.json()["items"]] == [
            (SHARED, "Đã giao xã rà soát")
        ]
        assert violation["next_repeat_at"] is None and violation["repeats"] == 1

        clock.advance(timedelta(days=15))
        await tick(container, db)
        clock.advance(timedelta(seconds=30))
        await tick(container, db)
        assert len(mails(smtp_server, SHARED)) == 2  # acknowledged: no repeat

        await kpi.status(("09292", "off_track"))  # a new status alerts again
        clock.advance(timedelta(seconds=30))
        await tick(container, db)
        assert len(mails(smtp_server, SHARED)) == 3
        assert "chậm tiến độ" in mails(smtp_server, SHARED)[2]["Subject"]
        [violation] = await violations(client, unit="09292")
        assert violation["silenced"] is False and violation["worst_status"] == "off_track"
        clock.advance(timedelta(days=7))
        await tick(container, db)
        clock.advance(timedelta(seconds=30))
        await tick(container, db)
        assert len(mails(smtp_server, SHARED)) == 4  # repeats again, until acknowledged again
        ack = await client.post(
            f"/api/v1/violations/{violation['id']}/acknowledge", json={"reason": "Sở đã gọi điện nhắc xã"}
        )
        assert ack.status_code == 200 and ack.json()["silenced"] is True
        audit = await client.get("/api/v1/admin/audit", params={"entity": "violation"})
        assert audit.json()["items"][0]["after"]["reason"] == "Sở đã gọi điện nhắc xã"

        await kpi.status(("09292", "on_track"), ("09292", "on_track"))
        clock.advance(timedelta(seconds=30))
        await tick(container, db)
        recovered = mails(smtp_server, SHARED)[4:]
        assert [m["Subject"] for m in recovered] == [
            "[BDHVS] Phù Lãng: chỉ tiêu c đã đúng tiến độ",
        ]
        clock.advance(timedelta(days=30))
        await tick(container, db)
        assert len(mails(smtp_server, SHARED)) == 5
        [violation] = await violations(client, unit="09292", state="resolved")
        assert violation["resolved_status"] == "on_track"
        opened, resolved = (datetime.fromisoformat(violation[k]) for k in ("opened_at", "resolved_at"))
        assert violation["duration_seconds"] == (resolved - opened).total_seconds() > 14 * 86400
        late = await client.post(
            f"/api/v1/violations/{violation['id']}/acknowledge",
        )
        assert late.status_code == 409 and late.json()["errors"][0]["code"] == "violation.resolved"


async def test_an_sms_due_in_quiet_hours_waits_until_seven(
    settings: NotifierSettings,
    gateway: HTTPServer,
    smtp_server: SmtpCatcher,
    db: asyncpg.Connection,
    tmp_path: Path,
    auth: AuthServer,
) -> None:
    gateway.clear()
    sms = script(gateway, "/sms/send", sms_accepted)
    clock, kpi = FixedClock(datetime(2026, 3, 16, 22, 15, tzinfo=TZ)), Kpi(settings.nats_url)
    async with notifier(settings, clock, tmp_path, auth) as (_, container):
        await kpi.status(("09313", "off_track"))
        clock.advance(timedelta(seconds=30))
        await tick(container, db)
        assert len(mails(smtp_server, SHARED)) == 1  # email is not held
        [row] = await db.fetch("SELECT * FROM notifier.notifications WHERE channel = 'sms'")
        assert row["status"] == "pending"
        assert row["next_attempt_at"] == datetime(2026, 3, 17, 7, 0, tzinfo=TZ)
        clock.set(datetime(2026, 3, 17, 6, 59, tzinfo=TZ))
        container.dispatchers[1].wake()
        await tick(container, db)
        assert sms.seen == []
        clock.set(datetime(2026, 3, 17, 7, 0, tzinfo=TZ))
        for dispatcher in container.dispatchers:
            dispatcher.wake()
        await eventually(
            lambda: db.fetchval("SELECT status FROM notifier.notifications WHERE channel = 'sms'"),
            lambda s: s == "sent",
        )
        assert len(sms.seen) == 1 and "Chi Lang" in sms.seen[0].json()["Content"]


async def test_the_province_mutes_its_units_for_those_told_of_the_province(
    settings: NotifierSettings,
    smtp_server: SmtpCatcher,
    db: asyncpg.Connection,
    tmp_path: Path,
    auth: AuthServer,
) -> None:
    clock, kpi = FixedClock(START), Kpi(settings.nats_url)

    async def shared_items() -> list[tuple[str, str, str]]:
        rows = await db.fetch(
            "SELECT unit_code, kind, state FROM notifier.alert_items WHERE address = $1 ORDER BY id", SHARED
        )
        return [(r["unit_code"], r["kind"], r["state"]) for r in rows]

    async with notifier(settings, clock, tmp_path, auth) as (client, container):
        # The roll-up follows the communes' reports: the province's status comes a moment later.
        await kpi.status(("09313", "off_track"), ("09292", "at_risk"))
        clock.advance(timedelta(seconds=5))
        await kpi.status(("24", "off_track"))
        clock.advance(timedelta(seconds=30))
        await tick(container, db)
        [province_mail] = mails(smtp_server, PROVINCE)
        assert "Bắc Ninh" in province_mail["Subject"]
        # The department hears of the province, and of 09292 (at_risk is not the province's
        # status), in one message; 09313's off_track is muted for it: the province alert says it.
        assert len(mails(smtp_server, SHARED)) == 1
        assert sorted(await shared_items()) == [
            ("09292", "kpi_below_target", "grouped"),
            ("09313", "kpi_below_target", "inhibited"),
            ("24", "kpi_below_target", "grouped"),
        ]
        # The commune's chairman is not told of the province: he hears of his unit (email, SMS).
        assert len(mails(smtp_server, "ct.09313@xa.example")) == 1
        assert sms_count(await db.fetch("SELECT channel FROM notifier.notifications")) == 1
        [muted] = await violations(client, unit="09313")
        [province] = await violations(client, unit="24")
        assert muted["inhibited_by"] == province["id"]

        await kpi.status(("24", "on_track"))  # the province recovers; 09313 is still off track
        clock.advance(timedelta(seconds=30))
        await tick(container, db)
        # The muted alert now goes to those it was muted for, with the province's recovery.
        assert len(mails(smtp_server, SHARED)) == 2
        assert (await shared_items())[-2:] in (
            [("09313", "kpi_below_target", "grouped"), ("24", "kpi_recovered", "grouped")],
            [("24", "kpi_recovered", "grouped"), ("09313", "kpi_below_target", "grouped")],
        )
        assert len(mails(smtp_server, "ct.09313@xa.example")) == 1  # nothing twice to the chairman
        assert sms_count(await db.fetch("SELECT channel FROM notifier.notifications")) == 1
        assert [m["Subject"] for m in mails(smtp_server, PROVINCE)][1].endswith("đã đúng tiến độ")
        [muted] = await violations(client, unit="09313")
        assert muted["inhibited_by"] is None and muted["alerted_at"] is not None


async def test_redelivered_and_stale_updates_send_nothing_twice(
    settings: NotifierSettings,
    smtp_server: SmtpCatcher,
    db: asyncpg.Connection,
    tmp_path: Path,
    auth: AuthServer,
) -> None:
    clock, kpi = FixedClock(START), Kpi(settings.nats_url)
    async with notifier(settings, clock, tmp_path, auth) as (client, container):
        first = attainment_update("09193", 2, "off_track", "on_track")
        stale = attainment_update("09193", 1, "on_track", None)
        async with jetstream(settings.nats_url) as js:
            await publish(js, first, "bdhvs.kpi.attainment.09193.c")
            # The same event again past JetStream's de-duplication, as a redelivery would be.
            await publish(js, first, "bdhvs.kpi.attainment.09193.c", msg_id="redelivered")
            await publish(js, stale, "bdhvs.kpi.attainment.09193.c")  # older: changes nothing
        await kpi.applied()
        for _ in range(3):
            clock.advance(timedelta(seconds=30))
            await tick(container, db)
        assert len(mails(smtp_server, SHARED)) == 1
        [violation] = await violations(client, unit="09193")
        assert violation["resolved_at"] is None and violation["last_status"] == "off_track"
        assert await db.fetchval("SELECT count(*) FROM notifier.alert_items") == 1


def sms_count(rows: list[Any]) -> int:
    return sum(1 for r in rows if r["channel"] == "sms")


async def test_a_commune_clerk_reads_its_own_units_violations_and_no_others(
    settings: NotifierSettings, db: asyncpg.Connection, tmp_path: Path, auth: AuthServer
) -> None:
    clock, kpi = FixedClock(START), Kpi(settings.nats_url)
    async with notifier(settings, clock, tmp_path, auth) as (client, _):
        await kpi.status(("09313", "off_track"), ("09292", "at_risk"), ("24", "at_risk"))
        ids = {v["unit_code"]: v["id"] for v in await violations(client)}
        clerk = auth.headers("commune")  # the clerk of 09313
        own = await client.get("/api/v1/violations", headers=clerk)
        assert own.status_code == 200, own.text
        # Without `unit`, its own unit's only (not the province's, not another commune's).
        assert [v["unit_code"] for v in own.json()["items"]] == ["09313"]
        asked = await client.get("/api/v1/violations", params={"unit": "09313"}, headers=clerk)
        assert [v["id"] for v in asked.json()["items"]] == [ids["09313"]]
        one = await client.get(f"/api/v1/violations/{ids['09313']}", headers=clerk)
        assert one.status_code == 200 and one.json()["unit_code"] == "09313"
        for path, params in (
            ("/api/v1/violations", {"unit": "09292"}),
            ("/api/v1/violations", {"unit": "24"}),
            (f"/api/v1/violations/{ids['09292']}", {}),
            (f"/api/v1/violations/{ids['24']}", {}),
        ):
            refused = await client.get(path, params=params, headers=clerk)
            assert refused.status_code == 403, (path, params, refused.text)
            assert refused.json()["errors"][0]["code"] == "auth.forbidden_unit"
            assert "09292" not in refused.text or "đơn vị 09292" in refused.text
        # Reading is all: acknowledging stays the province's.
        ack = await client.post(f"/api/v1/violations/{ids['09313']}/acknowledge", headers=clerk)
        assert ack.status_code == 403
        agency = await client.get("/api/v1/violations", headers=auth.headers("police"))
        assert agency.status_code == 403
