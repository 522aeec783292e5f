"""When an alert goes out, and what it says (Vietnamese, from the template files)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.events import AttainmentUpdated, TargetInfo
from notifier.adapters.messages import Messages
from notifier.domain.alerts import (
    BELOW_TARGET,
    RECOVERED,
    REPEAT,
    AlertPolicy,
    Change,
    OpenViolation,
    change,
    group_kind,
    idempotency_key,
    inhibitor,
    is_newer,
    sends_recovery,
    silenced,
    worse,
)
from notifier.domain.intents import AlertLine
from notifier.domain.sms_text import prepare_sms

OPENED = datetime(2026, 3, 15, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("open_status", "new", "expected"),
    [
        (None, "off_track", Change.OPEN),
        (None, "at_risk", Change.OPEN),
        (None, "on_track", Change.NONE),
        (None, "achieved", Change.NONE),
        (None, "insufficient_data", Change.NONE),
        ("at_risk", "off_track", Change.CHANGE),
        ("off_track", "at_risk", Change.CHANGE),
        ("off_track", "off_track", Change.UPDATE),
        ("at_risk", "at_risk", Change.UPDATE),
        ("off_track", "on_track", Change.RESOLVE),
        ("at_risk", "achieved", Change.RESOLVE),
        ("at_risk", "missed", Change.RESOLVE),
        ("at_risk", "insufficient_data", Change.RESOLVE),
    ],
)
def test_a_status_opens_changes_keeps_or_resolves_the_violation(
    open_status: str | None, new: str, expected: Change
) -> None:
    assert change(open_status, new) is expected


def test_recovery_only_for_on_track_or_achieved_and_only_if_people_were_told() -> None:
    assert sends_recovery("on_track", alerted=True) and sends_recovery("achieved", alerted=True)
    assert not sends_recovery("on_track", alerted=False)  # muted or superseded before it went out
    assert not sends_recovery("missed", alerted=True) and not sends_recovery("insufficient_data", True)


def test_worst_status_and_acknowledge_hold_for_the_status_acknowledged() -> None:
    assert worse("at_risk", "off_track") == "off_track" and worse("off_track", "at_risk") == "off_track"
    assert silenced("at_risk", "at_risk")
    assert not silenced("at_risk", "off_track") and not silenced(None, "at_risk")


def test_the_province_mutes_its_units_for_the_same_indicator_and_status_only() -> None:
    province = [OpenViolation(1, "24", "c", "off_track"), OpenViolation(2, "24", "d", "at_risk")]
    assert inhibitor("09313", "c", "off_track", "24", province) == province[0]
    assert inhibitor("09313", "d", "at_risk", "24", province) == province[1]
    assert inhibitor("09313", "c", "at_risk", "24", province) is None  # another status
    assert inhibitor("09313", "a", "off_track", "24", province) is None  # another indicator
    assert inhibitor("24", "c", "off_track", "24", province) is None  # never itself


def test_a_group_message_is_named_after_its_most_urgent_kind() -> None:
    assert group_kind([RECOVERED, REPEAT, BELOW_TARGET]) == BELOW_TARGET
    assert group_kind([RECOVERED, REPEAT]) == REPEAT
    assert group_kind([RECOVERED]) == RECOVERED


def test_an_older_update_is_not_newer() -> None:
    assert is_newer(None, 1) and is_newer(3, 4)
    assert not is_newer(4, 4) and not is_newer(4, 3)


def test_the_idempotency_key_names_the_cause_and_the_recipient() -> None:
    key = idempotency_key("kpi:09313:c:7:off_track", "email", "ChuTich@X.example")
    assert key == "kpi:09313:c:7:off_track:email:chutich@x.example"
    assert idempotency_key("kpi:09313:c:7:off_track", "sms", "84912345678") != key


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
    line = AlertLine(
        BELOW_TARGET, "at_risk", event.model_dump(mode="json"), OPENED, "https://n.example/ack?t=1"
    )
    mail = Messages(load_catalogue()).alert_group([line], "Chủ tịch UBND xã Chi Lăng")
    assert mail.subject == "[BDHVS] Chi Lăng: chỉ tiêu d có nguy cơ không đạt mục tiêu"
    for expected in (
        "Kính gửi Chủ tịch UBND xã Chi Lăng",
        "12.345 / 20.000 (61,73 %)",
        "trên 80,00 %",
        "31/12/2026",
        "14/03/2026",
        "1,87 điểm phần trăm",
        "https://n.example/ack?t=1",
    ):
        assert expected in mail.text, expected
    assert "<b>Chi Lăng</b>" in mail.html and 'href="https://n.example/ack?t=1"' in mail.html
    # The SMS template is Vietnamese too; without diacritics it is plain GSM-7 in at most two parts.
    sms = prepare_sms(mail.sms, keep_diacritics=False)
    assert sms.text.startswith("BDHVS Bac Ninh: Chi Lang chi tieu d co nguy co khong dat (61,73 %);")
    assert "61,73 %" in sms.text and sms.encoding == "gsm7" and sms.segments <= 2
    assert prepare_sms(mail.sms, keep_diacritics=True).encoding == "ucs2"


def test_one_message_lists_every_unit_and_indicator_by_section() -> None:
    def line(kind: str, unit: str, status: str) -> AlertLine:
        snapshot = {"unit_code": unit, "indicator": "c", "attainment": 0.47, "as_of": "2026-03-14"}
        return AlertLine(kind, status, snapshot, OPENED, None if kind == RECOVERED else f"https://n/{unit}")

    lines = [
        line(BELOW_TARGET, "09313", "off_track"),
        line(BELOW_TARGET, "09292", "at_risk"),
        line(REPEAT, "09193", "off_track"),
        line(RECOVERED, "07699", "on_track"),
    ]
    mail = Messages(load_catalogue()).alert_group(lines, "Phòng Chuyển đổi số")
    assert mail.subject == "[BDHVS] 4 thông báo chỉ tiêu: 2 cảnh báo mới, 1 nhắc lại, 1 đã cải thiện"
    text = mail.text
    assert text.index("CẢNH BÁO MỚI") < text.index("Chi Lăng") < text.index("Phù Lãng")
    assert (
        text.index("NHẮC LẠI") < text.index("Yên Phong") < text.index("ĐÃ CẢI THIỆN") < text.index("Tân Tiến")
    )
    assert "từ ngày 15/03/2026" in text and "https://n/09313" in text and "https://n/07699" not in text
    for name in ("Chi Lăng", "Phù Lãng", "Yên Phong", "Tân Tiến"):
        assert name in mail.html and name in mail.sms
    assert "—" in text  # a figure the snapshot lacks is a dash, not an error


def test_a_violation_is_told_again_one_repeat_interval_later() -> None:
    policy = AlertPolicy("24", repeat_interval=timedelta(days=3))
    when = datetime(2026, 3, 16, 9, tzinfo=UTC)
    assert policy.next_repeat(when) == datetime(2026, 3, 19, 9, tzinfo=UTC)


def test_an_operational_indicator_is_named_in_words_and_a_kpi_by_its_letter() -> None:
    """Chairmen read "chỉ tiêu chữ ký số", not the catalogue's code chu_ky_so (every demo mail did)."""
    snapshot = {"unit_code": "09313", "indicator": "chu_ky_so", "attainment": 0.47, "as_of": "2026-03-14"}
    mail = Messages(load_catalogue()).alert_group(
        [AlertLine(REPEAT, "off_track", snapshot, OPENED, None)], "Chủ tịch"
    )
    assert mail.subject.startswith("[BDHVS] Nhắc lại: Chi Lăng, chỉ tiêu chữ ký số chậm tiến độ")
    assert "chi tieu chu ky so" in prepare_sms(mail.sms, keep_diacritics=False).text
    dd = Messages(load_catalogue()).alert_group(
        [AlertLine(REPEAT, "off_track", {**snapshot, "indicator": "dd"}, OPENED, None)], "Chủ tịch"
    )
    assert "chỉ tiêu đ chậm tiến độ" in dd.subject
