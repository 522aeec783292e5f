"""The SMS gateway's delivery reports (domain/sms_receipts.py, service_layer/sms_receipts.py) on fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from notifier.domain.sms_receipts import receipt_state, receipt_url, valid_receipt_token
from notifier.service_layer.sms_receipts import ReceiptResult, record_sms_receipt
from support.notifier_fakes import FakeDatabase

NOW = datetime(2026, 3, 17, 3, tzinfo=UTC)


def test_final_send_statuses_are_recorded_and_steps_on_the_way_are_not() -> None:
    assert [receipt_state(s) for s in (5, "5", 4, 6)] == [
        "delivered",
        "delivered",
        "undelivered",
        "undelivered",
    ]
    assert [receipt_state(s) for s in (1, 2, 3, "x", None)] == [None] * 5


def test_the_callback_link_is_signed_for_one_notification() -> None:
    one, other = uuid.uuid4(), uuid.uuid4()
    url = receipt_url("https://notifier.example/", b"k" * 20, one)
    assert url.startswith(f"https://notifier.example/api/v1/sms/receipts/{one}?token=")
    token = url.split("token=")[1]
    assert valid_receipt_token(b"k" * 20, one, token)
    assert not valid_receipt_token(b"k" * 20, other, token) and not valid_receipt_token(b"x" * 20, one, token)


async def test_a_delivered_report_updates_only_the_sent_sms_it_names() -> None:
    db = FakeDatabase()
    sent, pending = uuid.uuid4(), uuid.uuid4()
    rows = db.committed.notifications.rows
    rows[sent] = {"id": sent, "channel": "sms", "status": "sent", "provider_message_id": "S1"}
    rows[pending] = {"id": pending, "channel": "sms", "status": "pending", "provider_message_id": None}
    assert await record_sms_receipt(db.transaction, sent, 3, "S1", NOW) is ReceiptResult.PENDING
    assert await record_sms_receipt(db.transaction, sent, 5, "S2", NOW) is ReceiptResult.UNKNOWN
    assert await record_sms_receipt(db.transaction, pending, 5, None, NOW) is ReceiptResult.UNKNOWN
    assert await record_sms_receipt(db.transaction, sent, 5, "S1", NOW) is ReceiptResult.RECORDED
    rows = db.committed.notifications.rows  # a new transaction's view
    assert (rows[sent]["delivery_status"], rows[sent]["delivery_reported_at"]) == ("delivered", NOW)
    assert "delivery_status" not in rows[pending]
