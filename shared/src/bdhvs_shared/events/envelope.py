"""The envelope every event carries, mirrored in CloudEvents `ce-*` headers."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Self
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Event(BaseModel):
    """Base of all events. Subclasses set TYPE and SCHEMA_VERSION."""

    TYPE: ClassVar[str] = "bdhvs.event"
    SCHEMA_VERSION: ClassVar[int] = 1

    # Tolerant reader: fields added by a newer producer are ignored, not rejected.
    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: UUID = Field(description="Unique id; also the Nats-Msg-Id and ce-id, for de-duplication.")
    event_type: str = Field(description="Dotted type, e.g. bdhvs.report.accepted.")
    schema_version: int = Field(
        ge=1, description="Version of this event's schema; bumped only by additive changes."
    )
    occurred_at: AwareDatetime = Field(description="When the fact happened (UTC offset included).")
    producer: str = Field(description="The service that emitted the event: intake, kpi or notifier.")
    correlation_id: UUID = Field(description="Id of the report revision that set this chain of events off.")

    @classmethod
    def new(
        cls,
        *,
        producer: str,
        correlation_id: UUID | None,
        occurred_at: datetime,
        event_id: UUID | None = None,
        **data: object,
    ) -> Self:
        """Build an event of this class with a fresh id (or the one given, made earlier by the
        caller) and the class's type and version."""
        event_id = event_id or uuid4()
        return cls(
            event_id=event_id,
            event_type=cls.TYPE,
            schema_version=cls.SCHEMA_VERSION,
            occurred_at=occurred_at,
            producer=producer,
            correlation_id=correlation_id or event_id,
            **data,
        )
