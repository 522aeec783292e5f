"""SIGKILL the notifier while the SMS gateway holds its request: delivered, at most one duplicate.

The notification's intent is committed before the send; the send runs inside the
transaction that records its result. Killed mid-send, that transaction never
commits: the row is still pending, and the restarted notifier sends it again.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import asyncpg
import pytest

from support.apps import eventually
from support.bus import jetstream, stream_messages
from support.events import attainment_update, publish
from support.peers import held_until, loopback_server, script, sms_accepted
from support.processes import running_system

pytestmark = pytest.mark.timeout(120)


async def test_notifier_killed_mid_send_delivers_the_sms_once_more_and_never_loses_it(
    system_env: dict[str, str], clean_nats: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    release = threading.Event()
    with loopback_server() as server:
        gateway = script(server, "/sms/send", held_until(release, sms_accepted), sms_accepted)
        env = {
            **system_env,
            "SMS_GATEWAY_URL": server.url_for("/sms/send"),
            "SMS_API_KEY": "sms-e2e-key-51d0",
            "SMS_SECRET_KEY": "sms-e2e-secret-51d0",
            "SMS_TIMEOUT_SECONDS": "30",  # longer than the hold: only the kill ends the first send
            "RETRY_BASE_SECONDS": "0.2",
        }
        recipients = tmp_path / "recipients.csv"
        recipients.write_text(
            "unit_code,role,name,email,phone,webhook_url,channels\n"
            "09313,chairman,Chủ tịch UBND xã Chi Lăng,chutich.09313@bacninh.example,0912345678,,sms\n",
            encoding="utf-8",
        )
        try:
            with running_system(env, tmp_path / "logs", names=("notifier",)) as system:
                system.cli("notifier", "recipients", "load", str(recipients))
                async with jetstream(clean_nats) as js:
                    update = attainment_update("09313", 1, "off_track", None)
                    await publish(js, update, "bdhvs.kpi.attainment.09313.c")

                await eventually(lambda: _value(len(gateway.seen)), lambda n: n == 1, timeout=30)
                # Mid-send: the intent is stored and still pending.
                assert await db.fetchval("SELECT status FROM notifier.notifications") == "pending"
                system.services["notifier"].kill()
                release.set()  # the gateway now answers a dead socket: it did take that SMS
                await asyncio.sleep(0.5)
                assert await db.fetchval("SELECT status FROM notifier.notifications") == "pending"
                await asyncio.to_thread(system.restart, "notifier")

                row = await eventually(
                    lambda: db.fetchrow("SELECT * FROM notifier.notifications"),
                    lambda r: r is not None and r["status"] == "sent",
                    timeout=30,
                )
                sent = await eventually(
                    lambda: stream_messages(clean_nats, "ALERTS", "bdhvs.notification.>"),
                    lambda m: len(m) >= 1,
                )
        finally:
            release.set()

    assert await db.fetchval("SELECT count(*) FROM notifier.notifications") == 1
    # The killed attempt was never recorded; the gateway saw the SMS twice (one duplicate, same id).
    assert row["attempts"] == 1
    assert len(gateway.seen) == 2
    assert {r.json()["RequestId"] for r in gateway.seen} == {str(row["id"])}
    assert [m.subject for m in sent] == ["bdhvs.notification.sent.09313"]
    assert json.loads(sent[0].data)["notification_id"] == str(row["id"])


async def _value(value: object) -> object:
    return value
