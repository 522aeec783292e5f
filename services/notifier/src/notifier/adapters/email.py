"""Email through SMTP with aiosmtplib; EmailMessage encodes Vietnamese headers (RFC 2047).

Sessions are kept open between messages and reused (adapters/smtp_sessions.py)."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

import aiosmtplib

from notifier.adapters.smtp_sessions import SmtpSessions
from notifier.domain.channel import OutgoingMessage, PermanentFailure, Receipt, TransientFailure
from notifier.settings import SmtpSettings

# Python folds a long non-ASCII header at 78 characters into encoded words and drops the space at the
# fold ("cảnh báo" came back as "cảnhbáo"); a subject fits one line of the RFC 5322 limit unfolded.
# aiosmtplib flattens with its own policy, so the message is flattened here and sent as bytes.
POLICY = email.policy.SMTP.clone(max_line_length=998)


class SmtpChannel:
    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self._s = settings
        self._sender = parseaddr(settings.mail_from)[1]
        self._sessions = SmtpSessions(
            self._connect, settings.keepalive_seconds, settings.messages_per_session
        )

    async def _connect(self) -> aiosmtplib.SMTP:
        """A new session: connected, greeted, EHLO, STARTTLS and login as configured."""
        s = self._s
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username,
            password=s.password.get_secret_value() if s.password else None,
            start_tls=s.starttls,
            timeout=s.timeout_seconds,
        )
        await client.connect()
        return client

    def build(self, message: OutgoingMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self._s.mail_from
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Message-ID"] = make_msgid(domain="bdhvs.local")
        # Lets a mailbox (or a test) recognise the same notification if it is ever re-sent.
        mail["X-BDHVS-Idempotency-Key"] = message.idempotency_key
        mail.set_content(message.text)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        return mail

    async def send(self, message: OutgoingMessage) -> Receipt:
        mail = self.build(message)
        try:
            async with self._sessions.session() as client:
                await client.sendmail(self._sender, [message.recipient], mail.as_bytes(policy=POLICY))
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refusal.code for refusal in exc.recipients]
            failure = PermanentFailure if all(code >= 500 for code in codes) else TransientFailure
            raise failure(f"SMTP recipient refused: {codes}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx: the server will never take it (bad address, policy); 4xx: try again later.
            failure = PermanentFailure if exc.code >= 500 else TransientFailure
            raise failure(f"SMTP {exc.code} {exc.message}"[:300]) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TransientFailure(f"SMTP unreachable: {exc!r}"[:300]) from exc
        return Receipt(provider_message_id=mail["Message-ID"])

    async def close(self) -> None:
        await self._sessions.close()
