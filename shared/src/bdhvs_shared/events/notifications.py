"""Events of the notifier context (stream ALERTS, subjects bdhvs.notification.>)."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from bdhvs_shared.events.envelope import Event


class NotificationSent(Event):
    """A notification was handed to its channel (the SMTP server, SMS gateway or webhook accepted it).

    Subject: `bdhvs.notification.sent.<unit_code>`.
    """

    TYPE: ClassVar[str] = "bdhvs.notification.sent"
    SCHEMA_VERSION: ClassVar[int] = 1

    event_type: Literal["bdhvs.notification.sent"] = "bdhvs.notification.sent"
    notification_id: UUID
    unit_code: str
    kind: str = Field(description="What the notification is about, e.g. kpi_below_target.")
    channel: Literal["email", "sms", "webhook"]
    recipient: str = Field(description="Address the channel delivered to.")


class NotificationFailed(Event):
    """A notification was given up: a permanent refusal, or its last attempt failed.

    Subject: `bdhvs.notification.failed.<unit_code>`.
    """

    TYPE: ClassVar[str] = "bdhvs.notification.failed"
    SCHEMA_VERSION: ClassVar[int] = 1

    event_type: Literal["bdhvs.notification.failed"] = "bdhvs.notification.failed"
    notification_id: UUID
    unit_code: str
    kind: str = Field(description="What the notification is about, e.g. kpi_below_target.")
    channel: Literal["email", "sms", "webhook"]
    recipient: str = Field(description="Address the channel was to deliver to.")
    attempts: int = Field(ge=1, description="Attempts made, the last one included.")
    reason: str = Field(description="The last failure, e.g. `HTTP 400: ...` or `timeout after 10 s`.")
    permanent: bool = Field(
        description="True when the peer refused for good (e.g. HTTP 400); false when attempts ran out."
    )
