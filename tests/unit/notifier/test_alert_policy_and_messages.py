"""When an alert goes out, and what it says (Vietnamese, from the template files)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.events import AttainmentUpdated, TargetInfo
from notifier.domain.alert_policy import idempotency_key, is_newer, should_alert
from notifier.domain.sms_text import prepare_sms
from notifier.messages import Messages


@pytest.mark.parametrize(
    ("previous", "new", "alert"),
    [
        (None, "off_track", True),
        (None, "at_risk", True),
        ("insufficient_data", "off_track", True),
        ("at_risk", "off_track", True),
        ("off_track", "at_risk", True),
        ("off_track", "off_track", False),
        ("at_risk", "at_risk", False),
        ("off_track", "on_track", False),
        (None, "achieved", False),
        (None, "insufficient_data", False),
    ],
)
def test_alerts_go_out_on_a_change_into_a_bad_status_only(
    previous: str | None, new: str, alert: bool
) -> None:
    assert should_alert(previous, new) is alert


def test_an_older_update_is_not_newer() -> None:
    assert is_newer(None, 1) and is_newer(3, 4)
    assert not is_newer(4, 4) and not is_newer(4, 3)


def test_the_idempotency_key_names_the_cause_and_the_recipient() -> None:
    key = idempotency_key("09313", "c", 7, "off_track", "email", "ChuTich@X.example")
    assert key == "kpi-status:09313:c:7:off_track:email:chutich@x.example"
    assert idempotency_key("09313", "c", 7, "off_track", "sms", "84912345678") != key


def test_the_email_is_vietnamese_with_figures_in_vietnamese_format() -> None:
    event = AttainmentUpdated.new(
        producer="kpi",
        correlation_id=None,
        occurred_at=datetime(2026, 3, 15, tzinfo=UTC),
        unit_code="09313",
        indicator="d",
        sequence=2,
        as_of=date(2026, 3, 14),
        numerator=12345,
        denominator=20000,
        attainment=0.61726,
        pace_per_day=0.001,
        pace_pp_per_30d=3.0,
        projected_attainment=0.79,
        required_pace_per_day=0.0006,
        required_pace_pp_per_30d=1.87,
        status="at_risk",
        previous_status="on_track",
        target=TargetInfo(value=0.8, comparator=">", due=date(2026, 12, 31)),
        units_reporting=1,
        units_expected=1,
    )
    mail = Messages(load_catalogue()).below_target(event, "Chủ tịch UBND xã Chi Lăng")
    assert mail.subject == "[BDHVS] Chi Lăng: chỉ tiêu d có nguy cơ không đạt mục tiêu"
    for expected in (
        "Kính gửi Chủ tịch UBND xã Chi Lăng",
        "12.345 / 20.000 (61,73 %)",
        "trên 80,00 %",
        "31/12/2026",
        "14/03/2026",
        "1,87 điểm phần trăm",
    ):
        assert expected in mail.text, expected
    assert "<b>Chi Lăng</b>" in mail.html
    # The SMS template is Vietnamese too; without diacritics it is plain GSM-7 in at most two parts.
    sms = prepare_sms(mail.sms, keep_diacritics=False)
    assert sms.text.startswith("BDHVS Bac Ninh: Chi Lang, chi tieu d co nguy co khong dat muc tieu.")
    assert "61,73 %" in sms.text and sms.encoding == "gsm7" and sms.segments <= 2
    assert prepare_sms(mail.sms, keep_diacritics=True).encoding == "ucs2"
