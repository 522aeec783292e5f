"""What a message says (an alert group, a deadline notice) and what a notification stores for each
channel: the exact text that will go out (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


@dataclass(frozen=True)
class AlertLine:
    """One unit and indicator in a grouped alert message."""

    kind: str  # kpi_below_target, kpi_repeat, kpi_recovered
    status: str
    snapshot: dict[str, Any]  # the AttainmentUpdated it tells about, as JSON
    opened_at: datetime  # when the violation began
    ack_url: str | None = None  # email only, not for a recovery


@dataclass(frozen=True)
class DeadlineFacts:
    """What a deadline message says: the ledger row, and for a summary the missing units."""

    kind: str  # deadline_reminder, deadline_overdue, deadline_escalation, deadline_summary
    form: str
    period: str
    unit_code: str
    deadline: datetime
    now: datetime
    missing: tuple[str, ...] = ()
    expected: int = 0
    late: tuple[str, ...] = ()  # the consolidation reminder: reports that came after the cut-off
    consolidation: datetime | None = None  # the consolidation reminder: the day the province consolidates
