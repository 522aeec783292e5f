"""Email through SMTP with aiosmtplib; EmailMessage encodes Vietnamese headers (RFC 2047)."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

import aiosmtplib

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
        password = self._s.password.get_secret_value() if self._s.password else None
        mail = self.build(message)
        try:
            await aiosmtplib.send(
                mail.as_bytes(policy=POLICY),
                sender=parseaddr(self._s.mail_from)[1],
                recipients=[message.recipient],
                hostname=self._s.host,
                port=self._s.port,
                username=self._s.username,
                password=password,
                start_tls=self._s.starttls,
                timeout=self._s.timeout_seconds,
            )
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
