"""What a notification stores for each channel: the exact text that will go out (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from notifier.domain.sms_text import prepare_sms


@dataclass(frozen=True)
class Rendered:
    """One notification's text in every form: email subject/text/HTML and the short SMS text."""

    subject: str
    text: str
    html: str
    sms: str


@dataclass(frozen=True)
class IntentBody:
    subject: str
    body_text: str
    body_html: str | None
    sms_segments: int | None = None
    sms_encoding: str | None = None


def body_for(channel: str, rendered: Rendered, keep_diacritics: bool) -> IntentBody:
    if channel == "sms":
        sms = prepare_sms(rendered.sms, keep_diacritics)
        return IntentBody(rendered.subject, sms.text, None, sms.segments, sms.encoding)
    if channel == "webhook":
        return IntentBody(rendered.subject, rendered.text, None)
    return IntentBody(rendered.subject, rendered.text, rendered.html)
