"""Email through SMTP with aiosmtplib; EmailMessage encodes Vietnamese headers (RFC 2047)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from notifier.settings import NotifierSettings


class SmtpSender:
    def __init__(self, settings: NotifierSettings) -> None:
        self._s = settings

    def build(self, to: str, subject: str, text: str, html: str | None, idempotency_key: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._s.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain="bdhvs.local")
        # Lets a mailbox (or a test) recognise the same notification if it is ever re-sent.
        message["X-BDHVS-Idempotency-Key"] = idempotency_key
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
        return message

    async def send(self, message: EmailMessage) -> None:
        password = self._s.smtp_password.get_secret_value() if self._s.smtp_password else None
        await aiosmtplib.send(
            message,
            hostname=self._s.smtp_host,
            port=self._s.smtp_port,
            username=self._s.smtp_username,
            password=password,
            start_tls=self._s.smtp_starttls,
            timeout=self._s.smtp_timeout_seconds,
        )
