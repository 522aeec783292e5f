"""The notifier's deadline-ledger settings (reminders, escalation, the consolidation reminder,
working hours) and their frozen views. The consolidation's day itself is CONSOLIDATION_DAY, shared
with kpi (`bdhvs_shared.settings.ConsolidationDaySettings`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from bdhvs_shared.settings import ConsolidationDaySettings


@dataclass(frozen=True)
class LedgerSettings:
    enabled: bool
    tick_seconds: float
    forms: tuple[str, ...]
    reminder_days: tuple[int, ...]
    escalation_days: int
    send_hour: int
    catch_up_days: int
    deadline_inclusive: bool
    go_live: date | None = None


@dataclass(frozen=True)
class ConsolidationSettings:
    day: int
    days_before: int
    hour: int


class LedgerGroupSettings(ConsolidationDaySettings):
    deadline_inclusive: bool = Field(
        default=False,
        description="As intake reads deadlines: false 'before the 20th' (20th 00:00), true 'by the 20th'.",
    )
    ledger_enabled: bool = Field(
        default=True,
        description="Send the deadline ledger's reminders, notices and summaries from this instance "
        "(reports still cancel ledger items when false)",
    )
    ledger_tick_seconds: float = Field(
        default=60.0, gt=0, description="How often the deadline ledger looks for what fell due"
    )
    ledger_forms: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Commune forms the deadline ledger chases, comma-separated; empty = every commune form",
    )
    ledger_reminder_days: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [3, 1], description="Reminders this many days before a deadline"
    )
    ledger_escalation_days: int = Field(
        default=2, ge=1, description="Days after a deadline when a missing report goes to the chairman"
    )
    ledger_send_hour: int = Field(
        default=8, ge=0, le=23, description="Local hour at which reminders, notices and escalations go out"
    )
    ledger_catch_up_days: int = Field(
        default=7, ge=0, description="Ledger items older than this when first planned are not created"
    )
    ledger_go_live: date | None = Field(
        default=None,
        description="The ledger chases only periods whose deadline comes after this day (YYYY-MM-DD, 00:00 "
        "local); unset = after the ledger's first start, stored in the database on that start",
    )
    ledger_consolidation_days_before: int = Field(
        default=2,
        ge=0,
        le=27,
        description="Days before the consolidation day when the operators are reminded of missing reports",
    )
    ledger_consolidation_hour: int = Field(
        default=8, ge=0, le=23, description="Local hour of the operators' consolidation reminder"
    )
    working_hours: str = Field(
        default="07:30-17:00",
        description="Local hours of a working day when notifications go out (HH:MM-HH:MM); nothing goes "
        "out on a day off (weekend, public holiday, the catalogue's days off); empty = any hour of one",
    )
    alerts_outside_working_hours: bool = Field(
        default=False,
        description="Below-target alerts go out at once, whatever the day and hour (deadline mail waits)",
    )

    @field_validator("ledger_forms", "ledger_reminder_days", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        # LEDGER_REMINDER_DAYS=3,1 as well as the JSON form [3, 1].
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("ledger_reminder_days")
    @classmethod
    def _reminder_days(cls, value: list[int]) -> list[int]:
        if any(day < 1 for day in value) or len(set(value)) != len(value):
            raise ValueError("LEDGER_REMINDER_DAYS: distinct whole numbers of days ≥ 1, e.g. 3,1")
        return value

    @model_validator(mode="after")
    def _consolidation_in_month(self) -> LedgerGroupSettings:
        if self.ledger_consolidation_days_before >= self.consolidation_day:
            raise ValueError("LEDGER_CONSOLIDATION_DAYS_BEFORE must be less than CONSOLIDATION_DAY")
        return self

    @property
    def ledger(self) -> LedgerSettings:
        return LedgerSettings(
            self.ledger_enabled,
            self.ledger_tick_seconds,
            tuple(self.ledger_forms),
            tuple(self.ledger_reminder_days),
            self.ledger_escalation_days,
            self.ledger_send_hour,
            self.ledger_catch_up_days,
            self.deadline_inclusive,
            self.ledger_go_live,
        )

    @property
    def consolidation(self) -> ConsolidationSettings:
        return ConsolidationSettings(
            self.consolidation_day, self.ledger_consolidation_days_before, self.ledger_consolidation_hour
        )
