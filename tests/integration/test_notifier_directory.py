"""The contact directory and routing rules against real NATS, PostgreSQL, a loopback SMTP server and a
loopback SMS gateway: the audited admin API, the all-or-nothing CSV import, routing by rule, and the
operators' consolidation reminder with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
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
from notifier.settings import NotifierSettings
from support.apps import eventually, running
from support.auth_server import AuthServer
from support.bus import consumer_backlog, jetstream
from support.events import attainment_update, publish, report_accepted
from support.peers import loopback_server, script, sms_accepted

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OPERATOR = "cds@so.example"
DIRECTORY = (
    "unit_code,role,name,email,phone,channels\n"
    f"24,department_operator,Phòng Chuyển đổi số,{OPERATOR},,\n"
    "09313,chairman,Chủ tịch UBND xã Chi Lăng,ct.09313@xa.example,0912 345 678,email\n"
    '09313,clerk,Văn phòng xã Chi Lăng,vp.09313@xa.example,0987654321,"sms,email"\n'
    "09313,leader,Bí thư xã Chi Lăng,bt.09313@xa.example,,\n"
)


def march(day: int, hour: int = 8) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=TZ)


@pytest.fixture
def gateway() -> Iterator[HTTPServer]:
    with loopback_server() as server:
        yield server


@asynccontextmanager
async def notifier(
    database_url: str,
    nats_url: str,
    smtp: SmtpCatcher,
    gateway: HTTPServer,
    clock: FixedClock,
    auth: AuthServer,
    **overrides: Any,
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """The notifier; its client carries an admin's token (the directory is reference data)."""
    async with jetstream(nats_url) as js:
        await ensure_streams(js, ["KPI"])
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "database_url": database_url,
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "sms_gateway_url": gateway.url_for("/sms/send"),
        "sms_api_key": "sms-test-key-77c1",
        "sms_secret_key": "sms-test-secret-77c1",
        "dispatch_poll_seconds": 0.05,
        "email_rate_per_second": 200.0,
        "sms_rate_per_second": 100.0,
        "ledger_forms": ["monthly"],
        "ledger_tick_seconds": 3600,  # the test ticks by hand
        "auth_url": auth.url,
        "notifier_ack_secret": "directory-test-ack-secret-5b1d",
        **overrides,
    }
    app = create_app(NotifierSettings(**values), clock)
    async with running(app) as client:
        client.headers.update(auth.headers("admin"))
        yield client, app.state.container


async def import_csv(client: httpx.AsyncClient, text: str | bytes, dry_run: bool) -> httpx.Response:
    return await client.post(
        "/api/v1/admin/contacts/import",
        params={"dry_run": str(dry_run).lower()},
        content=text.encode() if isinstance(text, str) else text,
        headers={"Content-Type": "text/csv"},
    )


def codes(reply: httpx.Response) -> list[tuple[str, str]]:
    return [(e["code"], e["field"]) for e in reply.json()["errors"]]


async def test_contacts_and_rules_change_through_the_api_and_every_change_is_audited(
    database_url: str,
    clean_nats: str,
    smtp_server: SmtpCatcher,
    gateway: HTTPServer,
    db: asyncpg.Connection,
    auth: AuthServer,
) -> None:
    clock = FixedClock(march(10, 9))
    async with notifier(
        database_url, clean_nats, smtp_server, gateway, clock, auth, ledger_enabled=False
    ) as (
        client,
        _,
    ):
        rules = (await client.get("/api/v1/admin/routing-rules")).json()["rules"]
        assert {
            "kind": "deadline_escalation",
            "role": "chairman",
            "channels": ["email", "sms", "webhook"],
            "tier": 1,
        } in rules
        new = {"unit_code": "09313", "role": "chairman", "name": "Chủ tịch", "phone": "+84 912 345 678"}
        nobody = await client.post("/api/v1/admin/contacts", json=new, headers={"Authorization": ""})
        assert codes(nobody) == [("auth.missing", "Authorization")]
        operator = await client.post("/api/v1/admin/contacts", json=new, headers=auth.headers("operator"))
        assert operator.status_code == 403  # operators read the directory; admins change it
        bad = {**new, "role": "mayor", "phone": "12345", "unit_code": "99999"}
        reply = await client.post("/api/v1/admin/contacts", json=bad)
        assert reply.status_code == 422
        assert codes(reply) == [
            ("contact.unit_unknown", "unit_code"),
            ("contact.role_unknown", "role"),
            ("contact.phone_invalid", "phone"),
        ]
        assert "không phải số di động Việt Nam" in reply.json()["errors"][2]["message"]
        reply = await client.post("/api/v1/admin/contacts", json={"unit_code": "09313"})
        assert reply.status_code == 422 and ("request.missing", "role") in codes(reply)
        assert reply.json()["errors"][0]["message"] == "Thiếu trường bắt buộc."

        created = await client.post("/api/v1/admin/contacts", json=new)
        assert created.status_code == 201, created.text
        contact = created.json()
        assert (contact["phone"], contact["channels"], contact["active"]) == ("84912345678", "sms", True)
        cid = contact["id"]
        patched = await client.patch(f"/api/v1/admin/contacts/{cid}", json={"email": "ct@xa.example"})
        assert patched.json()["email"] == "ct@xa.example" and patched.json()["phone"] == "84912345678"
        wrong = await client.patch(f"/api/v1/admin/contacts/{cid}", json={"channels": "fax"})
        assert codes(wrong) == [("contact.channel_unknown", "channels")]
        gone = await client.post(f"/api/v1/admin/contacts/{cid}/deactivate")
        assert gone.json()["active"] is False
        missing = await client.post("/api/v1/admin/contacts/999999/deactivate")
        assert missing.status_code == 404 and codes(missing) == [("contact.not_found", "id")]
        listed = (
            await client.get("/api/v1/admin/contacts", params={"unit": "09313", "active": "false"})
        ).json()
        assert [c["id"] for c in listed] == [cid]

        empty = await client.put("/api/v1/admin/routing-rules", json={"rules": []})
        assert codes(empty) == [("routing.empty", "rules[0].rules")]
        unknown = {"rules": [{"kind": "kpi_spam", "role": "chairman", "channels": ["sms"]}]}
        assert codes(await client.put("/api/v1/admin/routing-rules", json=unknown)) == [
            ("routing.kind_unknown", "rules[0].kind")
        ]
        only = {"rules": [{"kind": "kpi_below_target", "role": "chairman", "channels": ["sms"], "tier": 1}]}
        replaced = await client.put("/api/v1/admin/routing-rules", json=only)
        assert replaced.json() == only

        audit = (
            await client.get("/api/v1/admin/audit", params={"entity": "contact", "entity_id": str(cid)})
        ).json()
        routing = (await client.get("/api/v1/admin/audit", params={"entity": "routing"})).json()
    assert [a["action"] for a in audit["items"]] == ["contact.deactivate", "contact.update", "contact.create"]
    [actor] = {a["actor"] for a in audit["items"]}  # the admin token's name and holder, as intake says
    assert actor.startswith("test (admin:")
    update = audit["items"][1]
    assert (update["before"]["email"], update["after"]["email"]) == (None, "ct@xa.example")
    assert audit["items"][2]["before"] is None and audit["items"][2]["after"]["name"] == "Chủ tịch"
    assert [a["action"] for a in routing["items"]] == ["routing.replace", "routing.seed"]
    assert len(routing["items"][0]["before"]) == len(rules) and routing["items"][0]["after"] == only["rules"]
    # Refused changes left nothing: one contact, three audit rows for it.
    assert await db.fetchval("SELECT count(*) FROM notifier.contacts") == 1
    assert await db.fetchval("SELECT count(*) FROM notifier.audit_log WHERE entity = 'contact'") == 3


async def test_a_csv_import_is_checked_whole_and_stored_all_or_nothing(
    database_url: str,
    clean_nats: str,
    smtp_server: SmtpCatcher,
    gateway: HTTPServer,
    db: asyncpg.Connection,
    auth: AuthServer,
) -> None:
    clock = FixedClock(march(10, 9))
    async with notifier(
        database_url, clean_nats, smtp_server, gateway, clock, auth, ledger_enabled=False
    ) as (
        client,
        _,
    ):
        committed = await import_csv(client, DIRECTORY, dry_run=False)
        assert committed.json() == {"dry_run": False, "rows": 4, "replaced": 0}
        before = await db.fetch("SELECT * FROM notifier.contacts ORDER BY id")
        broken = (
            DIRECTORY + "09292,clerk,Văn phòng,vp@xa.example,091,\n09292,mayor,Chủ tịch,ct@xa.example,,\n"
        )
        for dry_run in (True, False):
            reply = await import_csv(client, broken, dry_run)
            assert reply.status_code == 422
            assert [(e["line"], e["field"], e["code"]) for e in reply.json()["errors"]] == [
                (6, "phone", "contact.phone_invalid"),
                (7, "role", "contact.role_unknown"),
            ]
        smaller = "\ufeff" + "\n".join(DIRECTORY.splitlines()[:3]) + "\n"
        checked = await import_csv(client, smaller, dry_run=True)
        assert checked.json() == {"dry_run": True, "rows": 2, "replaced": 4}
        latin = await import_csv(client, DIRECTORY.encode("cp1258", errors="replace"), dry_run=True)
        assert codes(latin) == [("csv.not_utf8", "")]
        assert await db.fetch("SELECT * FROM notifier.contacts ORDER BY id") == before
        assert (
            await db.fetchval("SELECT count(*) FROM notifier.audit_log WHERE action = 'contacts.import'") == 1
        )
        await import_csv(client, smaller, dry_run=False)
        assert await db.fetchval("SELECT count(*) FROM notifier.contacts") == 2
        (row,) = await db.fetch(
            "SELECT before, after FROM notifier.audit_log "
            "WHERE action = 'contacts.import' ORDER BY id DESC LIMIT 1"
        )
    assert (len(_json(row["before"])), len(_json(row["after"]))) == (4, 2)


def _json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value


async def test_a_kind_routed_only_to_chairmen_by_sms_reaches_only_them(
    database_url: str,
    clean_nats: str,
    smtp_server: SmtpCatcher,
    gateway: HTTPServer,
    db: asyncpg.Connection,
    auth: AuthServer,
) -> None:
    sms = script(gateway, "/sms/send", sms_accepted)
    clock = FixedClock(march(10, 9))
    async with notifier(
        database_url,
        clean_nats,
        smtp_server,
        gateway,
        clock,
        auth,
        ledger_enabled=False,
        alert_group_wait_seconds=0,  # at once: grouping has its own tests
        alert_tick_seconds=0.05,
    ) as (client, _):
        await import_csv(client, DIRECTORY, dry_run=False)
        only = {"rules": [{"kind": "kpi_below_target", "role": "chairman", "channels": ["sms"]}]}
        assert (await client.put("/api/v1/admin/routing-rules", json=only)).status_code == 200
        async with jetstream(clean_nats) as js:
            await publish(
                js, attainment_update("09313", 1, "off_track", None), "bdhvs.kpi.attainment.09313.c"
            )
        await eventually(lambda: consumer_backlog(clean_nats, "KPI", "notifier-kpi"), lambda n: n == 0)
        rows = await eventually(
            lambda: db.fetch("SELECT channel, recipient, status FROM notifier.notifications"),
            lambda r: len(r) >= 1 and all(x["status"] == "sent" for x in r),
        )
    # The chairman prefers email, but the rule says SMS: SMS. The clerk and the leader hear nothing.
    assert [(r["channel"], r["recipient"]) for r in rows] == [("sms", "84912345678")]
    assert [s.json()["Phone"] for s in sms.seen] == ["84912345678"]
    assert smtp_server.messages == []


async def _report(nats_url: str, unit: str, on_time: bool = True) -> None:
    received = march(15 if on_time else 21, 9)
    async with jetstream(nats_url) as js:
        event = report_accepted(unit, "2026-03", {"c": (10, 100)}, received=received, on_time=on_time)
        await publish(js, event, f"bdhvs.report.accepted.{unit}")


async def _tick(container: Any, db: asyncpg.Connection) -> None:
    while await container.ledger_tick.run_once():
        pass
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM notifier.notifications WHERE status = 'pending'"),
        lambda n: n == 0,
    )


def consolidation_mails(smtp: SmtpCatcher) -> list[Any]:
    return [m for m in smtp.messages if m["X-BDHVS-Idempotency-Key"].split(":")[4] == "consolidation"]


async def test_the_operators_are_reminded_once_before_the_consolidation_day_of_the_missing_and_late_reports(
    database_url: str,
    clean_nats: str,
    smtp_server: SmtpCatcher,
    gateway: HTTPServer,
    db: asyncpg.Connection,
    auth: AuthServer,
) -> None:
    clock = FixedClock(march(14, 9))
    async with notifier(database_url, clean_nats, smtp_server, gateway, clock, auth) as (client, container):
        await import_csv(
            client, DIRECTORY.splitlines()[0] + "\n" + DIRECTORY.splitlines()[1] + "\n", dry_run=False
        )
        await _tick(container, db)
        await _report(clean_nats, "09313")
        await _report(clean_nats, "09292", on_time=False)
        await eventually(
            lambda: consumer_backlog(clean_nats, "REPORTS", "notifier-reports"), lambda n: n == 0
        )
        # Friday 20th 07:30, the working day's start: the reminder (2 working days before Tuesday 24th,
        # CONSOLIDATION_DAY) waits for its hour, 08:00
        clock.set(march(20, 7) + timedelta(minutes=30))
        await _tick(container, db)
        assert consolidation_mails(smtp_server) == []
        clock.set(march(20, 8))
        await _tick(container, db)
        clock.set(march(24, 8))
        await _tick(container, db)
        metrics = (await client.get("/metrics")).text
    (mail,) = consolidation_mails(smtp_server)
    assert mail["To"] == OPERATOR and "97/99 đơn vị chưa nộp" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    missing, late = text.split("nộp nhưng muộn hạn")
    assert "Yên Phong (mã 09193)" in missing and "09313" not in missing and "09292" not in missing
    assert "Phù Lãng (mã 09292)" in late and "09313" not in late
    assert 'bdhvs_ledger_sent_total{kind="consolidation"} 1.0' in metrics
    assert 'bdhvs_ledger_cancelled_total{kind="overdue"} 2.0' in metrics
    assert (
        "bdhvs_ledger_tick_seconds_count" in metrics
        and 'bdhvs_ledger_pending{kind="escalation"}' not in metrics
    )


async def test_no_consolidation_reminder_when_every_unit_reported(
    database_url: str,
    clean_nats: str,
    smtp_server: SmtpCatcher,
    gateway: HTTPServer,
    db: asyncpg.Connection,
    auth: AuthServer,
) -> None:
    from bdhvs_shared.catalogue import load_catalogue

    catalogue = load_catalogue()
    units = [u.code for u in catalogue.expected_reporters(catalogue.forms["monthly"])]
    clock = FixedClock(march(14, 9))
    async with notifier(database_url, clean_nats, smtp_server, gateway, clock, auth) as (client, container):
        await import_csv(
            client, DIRECTORY.splitlines()[0] + "\n" + DIRECTORY.splitlines()[1] + "\n", dry_run=False
        )
        await _tick(container, db)
        for unit in units:
            await _report(clean_nats, unit)
        await eventually(
            lambda: consumer_backlog(clean_nats, "REPORTS", "notifier-reports"), lambda n: n == 0
        )
        clock.set(march(23, 9))
        await _tick(container, db)
        row = await db.fetchrow(
            "SELECT status, note FROM notifier.deadline_ledger WHERE kind = 'consolidation'"
        )
    assert consolidation_mails(smtp_server) == []
    assert (row["status"], row["note"]) == ("skipped", "every unit reported")


async def test_bad_requests_are_refused_in_the_errors_shape_and_change_nothing(
    database_url: str,
    clean_nats: str,
    smtp_server: SmtpCatcher,
    gateway: HTTPServer,
    db: asyncpg.Connection,
    auth: AuthServer,
) -> None:
    """The issue's probes: deeply nested JSON, a NUL in a parameter, a number for a time, a string
    for a number."""
    clock = FixedClock(march(10, 9))
    async with notifier(
        database_url, clean_nats, smtp_server, gateway, clock, auth, ledger_enabled=False
    ) as (client, _):
        rules = (await client.get("/api/v1/admin/routing-rules")).json()
        audited = await db.fetchval("SELECT count(*) FROM notifier.audit_log")
        nested = '{"rules": ' + "[" * 50_000 + "]" * 50_000 + "}"
        deep = await client.put(
            "/api/v1/admin/routing-rules", content=nested, headers={"Content-Type": "application/json"}
        )
        assert deep.status_code == 422 and codes(deep) == [("request.json_invalid", "")], deep.text
        rule = {"kind": "kpi_below_target", "role": "chairman", "channels": ["email"], "tier": "1"}
        lax = await client.put("/api/v1/admin/routing-rules", json={"rules": [rule]})
        assert lax.status_code == 422 and codes(lax) == [("request.int_type", "rules.0.tier")]
        assert (await client.get("/api/v1/admin/routing-rules")).json() == rules

        for path, params, field in (
            ("/api/v1/notifications", {"until": "0.5"}, "until"),
            ("/api/v1/violations", {"since": "1700000000"}, "since"),
        ):
            reply = await client.get(path, params=params)
            assert reply.status_code == 422 and codes(reply) == [("request.datetime_iso", field)], reply.text
        for path, name in (
            ("/api/v1/notifications", "recipient"),
            ("/api/v1/violations", "unit"),
            ("/api/v1/ledger", "form"),
            ("/api/v1/admin/contacts", "unit"),
        ):
            reply = await client.get(path, params={name: "\x00"})
            assert reply.status_code == 422 and codes(reply) == [("request.control_character", name)]
        missing = await client.get("/api/v1/nowhere")
        assert missing.status_code == 404 and codes(missing) == [("http.not_found", "")]
        assert await db.fetchval("SELECT count(*) FROM notifier.audit_log") == audited
