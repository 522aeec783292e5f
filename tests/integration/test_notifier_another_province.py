"""The notifier serves whichever province the catalogue names (issue 15, item 5): run with a small
synthetic catalogue of another province (Hà Tĩnh, code 42, its own communes) on real NATS, PostgreSQL,
a loopback SMTP server and a loopback SMS gateway and webhook receiver, every deadline message and
below-target alert it sends — mail subject and body, SMS text, webhook body, the events' `ce-type`
and `ce-source` — names Hà Tĩnh, and none names Bắc Ninh or carries its codes."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from pytest_httpserver import HTTPServer

from bdhvs_local.smtp_catcher import SmtpCatcher
from bdhvs_shared.catalogue import catalogue_from_files
from bdhvs_shared.catalogue.loader import default_directory, read_files
from bdhvs_shared.clock import FixedClock
from bdhvs_shared.events import CataloguePublished
from bdhvs_shared.nats.streams import ensure_streams
from notifier.bootstrap import create_app
from notifier.settings import NotifierSettings
from support.apps import eventually, running
from support.auth_server import NO_AUTH_URL
from support.bus import jetstream, stream_messages
from support.events import attainment_update, publish
from support.peers import ScriptedPeer, accepted, loopback_server, script, sms_accepted

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE = (
    'code: "42"\nname: "Hà Tĩnh"\npopulation: 1622901\narea_km2: 5994.45\ntimezone: "Asia/Ho_Chi_Minh"\n'
)
UNITS = """code,name,kind,area_km2,population,active_from,active_to,predecessors
18070,Thạch Lạc,xa,30.10,20000,2025-07-01,,
18073,Thành Sen,phuong,25.20,90000,2025-07-01,,
"""
OPERATOR = "cds@so.test"
# What may not appear in anything sent: Bắc Ninh's name (with or without its accents), its slug in
# `ce-type` and addresses, and its province and commune codes as units.
BAC_NINH = ("Bắc Ninh", "Bac Ninh", "bacninh", "BACNINH")


def another_province() -> dict[str, str]:
    """The packaged catalogue with Hà Tĩnh's province and two of its communes (no predecessors)."""
    files = {name: data.decode("utf-8") for name, data in read_files(default_directory()).items()}
    del files["unit_predecessors.csv"]
    files["province.yaml"], files["units.csv"] = PROVINCE, UNITS
    files["agencies.yaml"] = files["agencies.yaml"].replace("Bắc Ninh", "Hà Tĩnh")
    return files


def directory(tmp_path: Path, server: HTTPServer) -> Path:
    path = tmp_path / "recipients.csv"
    path.write_text(
        "unit_code,role,name,email,phone,webhook_url,channels\n"
        f"42,department_operator,Phòng Chuyển đổi số,{OPERATOR},,,email\n"
        '18070,chairman,Chủ tịch UBND xã Thạch Lạc,ct.18070@xa.test,0912 345 678,,"sms,email"\n'
        "18073,clerk,Văn phòng phường Thành Sen,vp.18073@xa.test,,,email\n"
        f"18070,system,Hệ thống điều hành,,,{server.url_for('/hooks/0')},webhook\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def peer() -> Iterator[HTTPServer]:
    with loopback_server() as server:
        yield server


async def publish_catalogue(nats_url: str, files: dict[str, str]) -> str:
    version = catalogue_from_files({k: v.encode("utf-8") for k, v in files.items()}).version
    event = CataloguePublished.new(
        producer="intake",
        correlation_id=None,
        occurred_at=datetime(2026, 3, 1, 9, tzinfo=TZ),
        version=version,
        previous_version=None,
        files=files,
        changed_files=sorted(files),
        changed_by="admin:test",
        summary="Hà Tĩnh",
    )
    async with jetstream(nats_url) as js:
        await ensure_streams(js, ["KPI", "REPORTS", "CATALOGUE"])
        await publish(js, event, "bdhvs.catalogue.published")
    return version


def settings(nats_url: str, database_url: str, smtp: SmtpCatcher, server: HTTPServer) -> NotifierSettings:
    return NotifierSettings(
        nats_url=nats_url,
        database_url=database_url,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        event_type_prefix="vn.hatinh",
        mail_from="BDHVS Hà Tĩnh <bdhvs@so.test>",
        sms_gateway_url=server.url_for("/sms/send"),  # type: ignore[arg-type]
        sms_api_key="sms-test-key-42",  # type: ignore[arg-type]
        sms_secret_key="sms-test-secret-42",  # type: ignore[arg-type]
        sms_brandname="BDHVS-HT",
        sms_quiet_hours="",
        webhook_secret="webhook-test-key-42",  # type: ignore[arg-type]
        ledger_forms=["monthly"],
        ledger_tick_seconds=3600,  # ticked by hand
        email_rate_per_second=200,
        dispatch_poll_seconds=0.05,
        retry_base_seconds=0.05,
        alert_group_wait_seconds=0,
        alert_tick_seconds=0.05,
        auth_url=NO_AUTH_URL,
        notifier_ack_secret="another-province-ack-secret-42",  # type: ignore[arg-type]
    )


def mail_texts(smtp: SmtpCatcher) -> list[str]:
    return [f"{m['Subject']}\n{m['From']}\n{m.get_body(('plain',)).get_content()}" for m in smtp.messages]  # type: ignore[union-attr]


def without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


async def test_another_provinces_notifier_names_only_that_province(
    database_url: str,
    clean_nats: str,
    smtp_server: SmtpCatcher,
    peer: HTTPServer,
    tmp_path: Path,
    db: asyncpg.Connection,
) -> None:
    version = await publish_catalogue(clean_nats, another_province())
    gateway: ScriptedPeer = script(peer, "/sms/send", sms_accepted)
    hook: ScriptedPeer = script(peer, "/hooks/0", accepted)
    clock = FixedClock(datetime(2026, 3, 14, 9, tzinfo=TZ))
    app = create_app(settings(clean_nats, database_url, smtp_server, peer), clock)
    async with running(app):
        container = app.state.container
        assert container.ledger.catalogue.version == version  # read at start, before anything else
        # As an admin imports it (the service's own DirectoryAdmin checks units against the catalogue
        # in force; `load_recipients`, the CLI's, checks against the packaged one).
        text = directory(tmp_path, peer).read_text(encoding="utf-8")
        await container.directory.import_csv("test", text, dry_run=False)
        for day in (14, 17, 20, 24):  # reminders, the overdue notices and summary, the escalation
            clock.set(datetime(2026, 3, day, 9, tzinfo=TZ))
            while await container.ledger_tick.run_once():
                pass
        async with jetstream(clean_nats) as js:  # a commune below target
            await publish(
                js, attainment_update("18070", 1, "off_track", None), "bdhvs.kpi.attainment.18070.c"
            )
        await eventually(
            lambda: db.fetchval("SELECT count(*) FROM notifier.notifications WHERE status = 'pending'"),
            lambda n: n == 0,
        )
        await eventually(lambda: _value(gateway.seen), lambda seen: len(seen) >= 1)
        await eventually(lambda: _value(hook.seen), lambda seen: len(seen) >= 1)
    kinds = {
        m["X-BDHVS-Idempotency-Key"].split(":")[4]
        for m in smtp_server.messages
        if "deadline:" in m["X-BDHVS-Idempotency-Key"]
    }
    assert {"reminder_3d", "overdue", "summary", "escalation"} <= kinds
    mails = mail_texts(smtp_server)
    assert any("chậm tiến độ" in m and "Thạch Lạc" in m for m in mails)  # the below-target alert
    sms = [seen.json()["Content"] for seen in gateway.seen]
    webhooks = [seen.body.decode("utf-8") for seen in hook.seen]
    events = await stream_messages(clean_nats, "ALERTS", "bdhvs.notification.>")
    headers = [f"{m.headers['ce-type']} {m.headers['ce-source']} {m.subject}" for m in events]
    assert events and all(m.headers["ce-type"].startswith("vn.hatinh.") for m in events)
    sent = [*mails, *sms, *webhooks, *headers, *(m.data.decode("utf-8") for m in events)]
    for text in sent:
        assert not any(name in text for name in BAC_NINH), text
        assert not any(m.subject.endswith(".24") or ".09" in m.subject for m in events)
    assert sum("Hà Tĩnh" in m for m in mails) >= len(mails) // 2, mails  # the province's own name
    summary = next(m for m in mails if OPERATOR in m or "Phòng Chuyển đổi số" in m)
    assert "Hà Tĩnh" in summary
    assert all("Ha Tinh" in without_accents(text) or "Thach Lac" in without_accents(text) for text in sms)
    assert json.loads(webhooks[0])  # a JSON body, checked above for names


async def _value(value: Any) -> Any:
    return value
