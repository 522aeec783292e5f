"""SMS gateway and webhooks against a real HTTP server on loopback, with real NATS and PostgreSQL.

Success, a failing gateway (500 then OK), 429 with Retry-After, a gateway slower than
the timeout, a permanent 400, attempts running out, the rate limit, and the webhook
signature checked the way a receiver would.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from pytest_httpserver import HTTPServer

from bdhvs_local.smtp_catcher import SmtpCatcher
from bdhvs_shared.events import NotificationFailed, NotificationSent
from bdhvs_shared.nats.streams import ensure_streams
from notifier.bootstrap import create_app
from notifier.domain.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from notifier.service_layer.directory_admin import load_recipients
from notifier.settings import NotifierSettings
from support.apps import eventually, running
from support.auth_server import auth_server
from support.bus import jetstream, stream_messages
from support.events import attainment_update, publish
from support.peers import accepted, answer, held_until, loopback_server, script, sms_accepted

SECRET = "webhook-test-key-4f1c"
PHONE = "84912345678"
CHAIRMAN = "chutich.09313@bacninh.example"


@pytest.fixture
def peer() -> Iterator[HTTPServer]:
    with loopback_server() as server:
        yield server


def directory(tmp_path: Path, server: HTTPServer, hooks: int = 1, sms_channels: str = "sms,email") -> Path:
    lines = [
        "unit_code,role,name,email,phone,webhook_url,channels",
        f'09313,chairman,Chủ tịch UBND xã Chi Lăng,{CHAIRMAN},0912 345 678,,"{sms_channels}"',
    ]
    lines += [
        f"09313,system,Hệ thống điều hành {i},,,{server.url_for(f'/hooks/{i}')},webhook" for i in range(hooks)
    ]
    path = tmp_path / "recipients.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextlib.asynccontextmanager
async def notifier(
    database_url: str,
    nats_url: str,
    smtp: SmtpCatcher,
    server: HTTPServer,
    recipients: Path,
    **overrides: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    async with jetstream(nats_url) as js:
        await ensure_streams(js, ["KPI"])
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "database_url": database_url,
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "sms_gateway_url": server.url_for("/sms/send"),
        "sms_api_key": "sms-test-key-93b2",
        "sms_secret_key": "sms-test-secret-4e7f",
        "sms_brandname": "BDHVS-BN",
        "webhook_secret": SECRET,
        "retry_base_seconds": 0.05,
        "retry_max_seconds": 0.2,
        "dispatch_poll_seconds": 0.05,
        "sms_rate_per_second": 100.0,
        "webhook_rate_per_second": 100.0,
        "ledger_enabled": False,  # the deadline ledger has its own tests
        # Alerts at once and at any hour: grouping and quiet hours have their own tests.
        "alert_group_wait_seconds": 0,
        "alert_tick_seconds": 0.05,
        "sms_quiet_hours": "",
        "alerts_outside_working_hours": True,  # …and the working-hours gate too (the real clock)
        "notifier_ack_secret": "channels-test-ack-secret-5d1e",
        **overrides,
    }
    async with auth_server(database_url, nats_url) as auth:
        app = create_app(NotifierSettings(**values, auth_url=auth.url))
        async with running(app) as client:
            client.headers.update(auth.headers("operator"))
            await load_recipients(app.state.container.transactions, recipients)
            yield client


async def alert(nats_url: str, unit: str = "09313") -> None:
    async with jetstream(nats_url) as js:
        await publish(js, attainment_update(unit, 1, "off_track", None), f"bdhvs.kpi.attainment.{unit}.c")


async def row(db: asyncpg.Connection, channel: str, accept: Any, timeout: float = 10) -> Any:
    return await eventually(
        lambda: db.fetchrow("SELECT * FROM notifier.notifications WHERE channel = $1", channel),
        lambda r: r is not None and accept(r),
        timeout=timeout,
    )


async def events(nats_url: str, count: int) -> list[Any]:
    messages = await eventually(
        lambda: stream_messages(nats_url, "ALERTS", "bdhvs.notification.>"), lambda m: len(m) >= count
    )
    return [(m.subject, json.loads(m.data)) for m in messages]


async def test_one_alert_goes_by_sms_email_and_a_signed_webhook(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, peer: HTTPServer, tmp_path: Path, db: Any
) -> None:
    gateway = script(peer, "/sms/send", sms_accepted)
    hook = script(peer, "/hooks/0", accepted)
    recipients = directory(tmp_path, peer)
    async with notifier(database_url, clean_nats, smtp_server, peer, recipients) as client:
        await alert(clean_nats)
        sent = await events(clean_nats, 3)
        page = (await client.get("/api/v1/notifications", params={"unit": "09313"})).json()

    assert sorted((s, e["channel"]) for s, e in sent) == [
        ("bdhvs.notification.sent.09313", "email"),
        ("bdhvs.notification.sent.09313", "sms"),
        ("bdhvs.notification.sent.09313", "webhook"),
    ]
    for _, event in sent:
        NotificationSent.model_validate(event)
    assert page["total"] == 3 and {n["status"] for n in page["items"]} == {"sent"}

    # The SMS: the gateway's shape, no diacritics, its parts counted and stored.
    [request] = gateway.seen
    sms = request.json()
    sms_row = next(n for n in page["items"] if n["channel"] == "sms")
    assert sms["ApiKey"] == "sms-test-key-93b2" and sms["Brandname"] == "BDHVS-BN"
    assert sms["SecretKey"] == "sms-test-secret-4e7f"  # eSMS authenticates the key with it
    assert sms["Phone"] == PHONE and sms["IsUnicode"] == 0 and sms["SmsType"] == 2
    assert sms["RequestId"] == sms_row["id"]
    assert (
        sms["Content"]
        == "BDHVS Bac Ninh: Chi Lang chi tieu c cham tien do (47,00 %); De nghi day nhanh tien do."
    )
    assert sms_row["sms_encoding"] == "gsm7" and sms_row["sms_segments"] == 1  # ≤ 160 characters
    assert sms_row["provider_message_id"] == f"sms-{sms_row['id']}"

    # The webhook: the receiver recomputes the signature from the raw body and the timestamp.
    [call] = hook.seen
    timestamp = int(call.headers[TIMESTAMP_HEADER])
    assert verify(SECRET.encode(), timestamp, call.body, call.headers[SIGNATURE_HEADER], now=timestamp)
    assert not verify(b"wrong-key", timestamp, call.body, call.headers[SIGNATURE_HEADER], now=timestamp)
    assert call.json()["unit_code"] == "09313" and "Chi Lăng" in call.json()["subject"]
    assert call.headers["Idempotency-Key"].startswith("kpi-group:webhook:")

    assert [m["To"] for m in smtp_server.messages] == [CHAIRMAN]


async def test_the_gateways_delivery_report_updates_the_notification(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, peer: HTTPServer, tmp_path: Path, db: Any
) -> None:
    gateway = script(peer, "/sms/send", sms_accepted)
    recipients = directory(tmp_path, peer, hooks=0)
    async with notifier(database_url, clean_nats, smtp_server, peer, recipients) as client:
        await alert(clean_nats)
        sent = await row(db, "sms", lambda r: r["status"] == "sent")
        [request] = gateway.seen
        callback = httpx.URL(request.json()["CallbackUrl"])
        assert callback.path == f"/api/v1/sms/receipts/{sent['id']}"
        where = f"{callback.path}?{callback.query.decode()}"
        sms_id = sent["provider_message_id"]
        client.headers.pop("Authorization")  # the gateway has no operator's token: the link is signed
        forged = await client.post(f"{callback.path}?token=0000", json={"SMSID": sms_id, "SendStatus": 5})
        assert forged.status_code == 403 and forged.json()["errors"][0]["code"] == "sms.receipt_invalid"
        sending = await client.post(where, json={"SMSID": sms_id, "SendStatus": 3})
        assert sending.json()["result"] == "pending"
        assert (
            await db.fetchval("SELECT delivery_status FROM notifier.notifications WHERE channel = 'sms'")
        ) is None
        other = await client.post(where, json={"SMSID": "not-this-one", "SendStatus": 5})
        assert other.status_code == 404
        delivered = await client.post(where, json={"SMSID": sms_id, "SendStatus": 5, "TypeId": 2})
        assert delivered.status_code == 200 and delivered.json()["result"] == "recorded"
        bad = await client.post(where, json={"SMSID": sms_id, "SendStatus": "năm"})
        assert bad.status_code == 422 and "errors" in bad.json()
    stored = await db.fetchrow(
        "SELECT status, delivery_status, delivery_reported_at FROM notifier.notifications "
        "WHERE channel = 'sms'"
    )
    assert (stored["status"], stored["delivery_status"]) == ("sent", "delivered")
    assert stored["delivery_reported_at"] is not None


async def test_a_failing_gateway_is_retried_until_it_accepts(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, peer: HTTPServer, tmp_path: Path, db: Any
) -> None:
    gateway = script(peer, "/sms/send", answer(500, body="maintenance"), answer(502), sms_accepted)
    hook = script(peer, "/hooks/0", answer(503), accepted)
    recipients = directory(tmp_path, peer)
    async with notifier(database_url, clean_nats, smtp_server, peer, recipients):
        await alert(clean_nats)
        sms = await row(db, "sms", lambda r: r["status"] == "sent")
        webhook = await row(db, "webhook", lambda r: r["status"] == "sent")
    assert sms["attempts"] == 3 and len(gateway.seen) == 3 and sms["last_error"] is None
    assert webhook["attempts"] == 2 and len(hook.seen) == 2
    # A re-send carries the same identity, so the peer can tell it is the same notification.
    assert len({r.json()["RequestId"] for r in gateway.seen}) == 1
    assert len({c.headers["Idempotency-Key"] for c in hook.seen}) == 1


async def test_429_with_retry_after_holds_the_next_attempt_back(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, peer: HTTPServer, tmp_path: Path, db: Any
) -> None:
    gateway = script(peer, "/sms/send", answer(429, {"Retry-After": "1"}), sms_accepted)
    recipients = directory(tmp_path, peer, hooks=0)
    async with notifier(database_url, clean_nats, smtp_server, peer, recipients):
        await alert(clean_nats)
        waiting = await row(db, "sms", lambda r: r["attempts"] == 1)
        assert waiting["status"] == "pending" and waiting["last_error"].startswith("HTTP 429")
        # Backoff alone would be 0.05 s; the gateway asked for 1 s.
        assert (waiting["next_attempt_at"] - waiting["created_at"]).total_seconds() >= 1.0
        sent = await row(db, "sms", lambda r: r["status"] == "sent")
    assert sent["attempts"] == 2
    first, second = gateway.seen
    assert second.at - first.at >= 1.0


async def test_a_gateway_slower_than_the_timeout_is_retried(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, peer: HTTPServer, tmp_path: Path, db: Any
) -> None:
    release = threading.Event()
    gateway = script(peer, "/sms/send", held_until(release, sms_accepted), sms_accepted)
    recipients = directory(tmp_path, peer, hooks=0)
    try:
        async with notifier(database_url, clean_nats, smtp_server, peer, recipients, sms_timeout_seconds=1.0):
            await alert(clean_nats)
            sent = await row(db, "sms", lambda r: r["status"] == "sent")
    finally:
        release.set()
    # The first request was released only after the row was sent: a later attempt delivered it.
    assert sent["attempts"] == len(gateway.seen) >= 2
    assert sent["last_error"] is None


async def test_a_permanent_refusal_fails_at_once_with_an_event(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, peer: HTTPServer, tmp_path: Path, db: Any
) -> None:
    gateway = script(peer, "/sms/send", answer(400, body='{"error": "invalid phone"}'))
    recipients = directory(tmp_path, peer, hooks=0)
    async with notifier(database_url, clean_nats, smtp_server, peer, recipients) as client:
        await alert(clean_nats)
        failed = await row(db, "sms", lambda r: r["status"] == "failed")
        published = await events(clean_nats, 2)  # the SMS failed; the email to the same person went
        log = (await client.get("/api/v1/notifications", params={"status": "failed"})).json()
    assert failed["attempts"] == 1 and len(gateway.seen) == 1
    assert failed["last_error"].startswith("HTTP 400") and failed["failed_at"] is not None
    [(subject, event)] = [(s, e) for s, e in published if "failed" in s]
    assert subject == "bdhvs.notification.failed.09313"
    parsed = NotificationFailed.model_validate(event)
    assert parsed.permanent and parsed.attempts == 1 and parsed.channel == "sms"
    assert parsed.reason.startswith("HTTP 400") and parsed.recipient == PHONE
    assert [(n["channel"], n["status"]) for n in log["items"]] == [("sms", "failed")]


async def test_after_the_last_attempt_the_notification_is_failed(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, peer: HTTPServer, tmp_path: Path, db: Any
) -> None:
    hook = script(peer, "/hooks/0", answer(503, body="down"))
    recipients = directory(tmp_path, peer, sms_channels="email")  # the chairman wants no SMS
    async with notifier(database_url, clean_nats, smtp_server, peer, recipients, max_send_attempts=3):
        await alert(clean_nats)
        failed = await row(db, "webhook", lambda r: r["status"] == "failed")
        published = await events(clean_nats, 2)  # the email went; the webhook failed
    assert failed["attempts"] == 3 and len(hook.seen) == 3 and "HTTP 503" in failed["last_error"]
    [event] = [e for s, e in published if s == "bdhvs.notification.failed.09313"]
    assert event["permanent"] is False and event["attempts"] == 3
    assert await db.fetchval("SELECT count(*) FROM notifier.notifications WHERE channel = 'sms'") == 0


async def test_the_rate_limit_spaces_sends_on_a_channel(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, peer: HTTPServer, tmp_path: Path, db: Any
) -> None:
    hooks = [script(peer, f"/hooks/{i}", accepted) for i in range(8)]
    recipients = directory(tmp_path, peer, hooks=8)
    async with notifier(database_url, clean_nats, smtp_server, peer, recipients, webhook_rate_per_second=4.0):
        await alert(clean_nats)
        await eventually(
            lambda: db.fetchval(
                "SELECT count(*) FROM notifier.notifications WHERE channel = 'webhook' AND status = 'sent'"
            ),
            lambda n: n == 8,
        )
    times = sorted(call.at for hook in hooks for call in hook.seen)
    assert len(times) == 8
    # A burst of 4, then one token every 0.25 s: the eighth comes about 1 s after the first. The bound
    # leaves 0.1 s for when the server notes each arrival; without the limit all 8 come at once.
    assert times[-1] - times[0] >= 1.0 - 0.1


async def test_the_delivery_log_filters_and_pages(
    database_url: str, clean_nats: str, smtp_server: SmtpCatcher, peer: HTTPServer, tmp_path: Path, db: Any
) -> None:
    script(peer, "/sms/send", sms_accepted)
    script(peer, "/hooks/0", accepted)
    recipients = directory(tmp_path, peer)
    async with notifier(database_url, clean_nats, smtp_server, peer, recipients) as client:
        await alert(clean_nats)
        await alert(clean_nats, "09292")  # the demo has no 09292 contact in this directory: nothing
        await events(clean_nats, 3)

        async def get(**params: Any) -> Any:
            reply = await client.get("/api/v1/notifications", params=params)
            assert reply.status_code == 200, reply.text
            return reply.json()

        assert (await get(channel="sms"))["items"][0]["recipient"] == PHONE
        assert (await get(recipient=CHAIRMAN))["total"] == 1
        assert (await get(kind="kpi_below_target", status="sent"))["total"] == 3
        assert (await get(kind="deadline_reminder"))["total"] == 0
        assert (await get(unit="09292"))["total"] == 0
        first, second = await get(limit=2), await get(limit=2, offset=2)
        assert first["total"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
        ids = {n["id"] for n in first["items"] + second["items"]}
        assert len(ids) == 3
        created = first["items"][0]["created_at"]
        assert (await get(since=created))["total"] == 3
        assert (await get(until=created))["total"] == 0
        for bad in ({"channel": "fax"}, {"recipient": "a\x00b"}, {"unit": "09313'"}, {"kind": "\x00"}):
            assert (await client.get("/api/v1/notifications", params=bad)).status_code == 422, bad
        naive = await client.get("/api/v1/notifications", params={"since": "2026-03-01T00:00:00"})
        assert naive.status_code == 422
