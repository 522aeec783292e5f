"""The email channel writes its messages out directly (`SmtpChannel.render`); read back by a mail
client's parser they say what EmailMessage's (`SmtpChannel.build`) said: headers, Vietnamese subject,
text and HTML parts."""

from __future__ import annotations

import email
import email.policy
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from notifier.adapters.email import POLICY, SmtpChannel
from notifier.domain.channel import OutgoingMessage
from notifier.settings.channels import SmtpSettings

CHANNEL = SmtpChannel(
    SmtpSettings(
        "127.0.0.1", 25, None, None, False, 5.0, "BDHVS Bắc Ninh <bdhvs@bacninh.gov.vn>", 10, 30, 100
    )
)
LONG = "Cảnh báo: xã Chi Lăng chưa đạt chỉ tiêu tỷ lệ hộ nghèo, tháng 3 năm 2026 — cần báo cáo bổ sung " * 2


def message(
    subject: str, text: str, html: str | None, recipient: str = "chutich@bacninh.example"
) -> OutgoingMessage:
    return OutgoingMessage(
        uuid.uuid4(), "ledger:monthly:2026-03:09313:reminder_3d", "09313", "reminder_3d", recipient, subject,
        text, html, datetime(2026, 3, 16, tzinfo=UTC),
    )  # fmt: skip


def parsed(raw: bytes) -> EmailMessage:
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    return mail


def read(mail: EmailMessage) -> dict[str, object]:
    parts = list(mail.iter_parts()) if mail.is_multipart() else [mail]
    return {
        "headers": {h: str(mail[h]) for h in ("From", "To", "X-BDHVS-Idempotency-Key", "MIME-Version")},
        "type": mail.get_content_type(),
        # Line ends as the reader sees them: EmailMessage picks quoted-printable for long lines (LF).
        "parts": [(p.get_content_type(), p.get_content().replace("\r\n", "\n")) for p in parts],
        "defects": [*mail.defects, *(d for p in parts for d in p.defects)],
    }


@pytest.mark.parametrize(
    ("subject", "text", "html"),
    [
        (
            "Nhắc nộp báo cáo tháng 3 — xã Chi Lăng",
            "Xã Chi Lăng chưa nộp.\nHạn: 05/04.\n",
            "<p>Xã <b>Chi Lăng</b></p>\n",
        ),
        ("Monthly reminder", "plain ASCII text\n", None),
        (LONG, "Nội dung " * 200, "<p>" + "Nội dung " * 300 + "</p>"),
        ("=?utf-8?q?not_an_encoded_word?=", "", None),
        ("", "x", "<p>x</p>"),
    ],
)
def test_a_rendered_message_reads_as_the_built_one(subject: str, text: str, html: str | None) -> None:
    outgoing = message(subject, text, html)
    raw, message_id = CHANNEL.render(outgoing)
    built = CHANNEL.build(outgoing)
    ours, theirs = read(parsed(raw)), read(parsed(built.as_bytes(policy=POLICY)))
    assert ours == theirs
    # The subject as written: EmailMessage would have decoded a subject that looks like an encoded word.
    assert str(parsed(raw)["Subject"]) == subject
    assert ours["defects"] == []
    assert parsed(raw)["Message-ID"] == message_id
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only


def test_a_header_with_a_line_break_is_refused_as_before() -> None:
    with pytest.raises(ValueError):
        CHANNEL.render(message("Nhắc nộp\r\nBcc: ai@example.org", "x", None))


def test_a_non_ascii_address_goes_through_email_message() -> None:
    raw, _ = CHANNEL.render(message("Nhắc", "x", None, recipient="chủtịch@bacninh.example"))
    assert str(parsed(raw)["To"]) == str(
        CHANNEL.build(message("Nhắc", "x", None, "chủtịch@bacninh.example"))["To"]
    )
