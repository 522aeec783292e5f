"""Events of the KPI context (stream KPI, subjects bdhvs.kpi.>)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from bdhvs_shared.events.envelope import Event

Status = Literal["achieved", "missed", "on_track", "at_risk", "off_track", "insufficient_data"]


class TargetInfo(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    value: float = Field(description="Target as a fraction, e.g. 0.8 for 80 %.")
    comparator: Literal[">", ">="] = Field(description="'>' means strictly above the value.")
    due: date = Field(description="Target date (31 December of the target year by default).")


class AttainmentUpdated(Event):
    """The projection of one unit (or the province, code 24) for one indicator changed.

    Subject: `bdhvs.kpi.attainment.<unit_code>.<indicator>`. Each message is a
    full snapshot, so the last message per subject is the current state.
    """

    TYPE: ClassVar[str] = "bdhvs.kpi.attainment"
    SCHEMA_VERSION: ClassVar[int] = 1

    event_type: Literal["bdhvs.kpi.attainment"] = "bdhvs.kpi.attainment"
    unit_code: str = Field(description="GSO code; 24 is the province roll-up.", examples=["09313", "24"])
    indicator: str = Field(description="Indicator code (a, b, c, d, dd).", examples=["c"])
    sequence: int = Field(ge=1, description="Increases by one with every update of this unit and indicator.")
    as_of: date | None = Field(description="As-of day of the latest observation.")
    numerator: int | None = None
    denominator: int | None = None
    attainment: float | None = Field(description="numerator / denominator, in [0, 1].")
    pace_per_day: float | None = Field(description="OLS slope of attainment per day over the window.")
    pace_pp_per_30d: float | None = Field(description="Pace in percentage points per 30 days, for people.")
    projected_attainment: float | None = Field(
        description="Attainment projected at the target date, clamped to [0, 1]."
    )
    required_pace_per_day: float | None = Field(description="Pace still needed to meet the target, per day.")
    required_pace_pp_per_30d: float | None = Field(
        description="Required pace in percentage points per 30 days."
    )
    status: Status = Field(description="achieved, missed, on_track, at_risk, off_track or insufficient_data.")
    previous_status: Status | None = Field(description="Status before this update; None for the first one.")
    target: TargetInfo | None = Field(description="The target the status is judged against.")
    units_reporting: int = Field(ge=0, description="Units with at least one observation (1 or 0 for a unit).")
    units_expected: int = Field(ge=0, description="Units expected to report the indicator.")


class StatusChanged(Event):
    """The status of one unit (or the province, code 24) for one indicator changed: from → to.

    Subject: `bdhvs.kpi.status.<unit_code>.<indicator>`. Published in the same
    transaction as the `AttainmentUpdated` that carries the new status (same
    `sequence`), only when the status differs from the previous one; the first
    snapshot of a unit and indicator also publishes one (`from_status` null), so the
    last message per subject is the current status. Also published when only the
    date changed the status (a target date passed, the new year's target applies).
    """

    TYPE: ClassVar[str] = "bdhvs.kpi.status"
    SCHEMA_VERSION: ClassVar[int] = 1

    event_type: Literal["bdhvs.kpi.status"] = "bdhvs.kpi.status"
    unit_code: str = Field(description="GSO code; 24 is the province roll-up.", examples=["09313", "24"])
    indicator: str = Field(description="Indicator code (a, b, c, d, dd).", examples=["c"])
    sequence: int = Field(ge=1, description="The `sequence` of the AttainmentUpdated with the new status.")
    from_status: Status | None = Field(description="Status before the change; null for the first one.")
    to_status: Status = Field(description="Status after the change.")
    as_of: date | None = Field(description="As-of day of the latest observation.")
    attainment: float | None = Field(description="numerator / denominator, in [0, 1].")
    projected_attainment: float | None = Field(
        description="Attainment projected at the target date, clamped to [0, 1]."
    )
    target: TargetInfo | None = Field(description="The target the status is judged against.")


class GroupReporting(BaseModel):
    """Completeness of one group of units for a form and period (docs/kpi-rules.md)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    group: str = Field(description="province (every expected unit), xa (communes) or phuong (wards).")
    expected: int = Field(ge=0, description="Active units on the period's as-of day that file the form.")
    received: int = Field(ge=0, description="Expected units whose report arrived (any revision).")
    on_time: int = Field(ge=0, description="Received whose first revision arrived before the cut-off.")
    late: int = Field(ge=0, description="received − on_time.")
    missing: int = Field(ge=0, description="expected − received.")
    reporting_rate: float | None = Field(description="received / expected, in [0, 1]; null if none expected.")
    on_time_rate: float | None = Field(description="on_time / expected, in [0, 1]; null if none expected.")


class ReportingUpdated(Event):
    """Reporting completeness of one form and period changed: a new report arrived.

    Subject: `bdhvs.kpi.reporting.<form>`. Each message is the full state of its
    form and period (the whole province first in `groups`, then communes and
    wards); the last message per subject and period is the current state.
    Corrections of a report already received change nothing, so publish nothing.
    """

    TYPE: ClassVar[str] = "bdhvs.kpi.reporting"
    SCHEMA_VERSION: ClassVar[int] = 1

    event_type: Literal["bdhvs.kpi.reporting"] = "bdhvs.kpi.reporting"
    form: str = Field(description="Catalogue code of the form.", examples=["monthly"])
    period: str = Field(description="Canonical period, e.g. 2026-03.", examples=["2026-03"])
    sequence: int = Field(
        ge=1, description="Reports received for this form and period: grows by one with each message."
    )
    as_of: date = Field(description="The period's as-of day: expected units are those active on it.")
    deadline: datetime = Field(description="The form's cut-off for this period (on time: strictly before).")
    groups: list[GroupReporting] = Field(description="The whole province first, then xa and phuong.")


class ProvinceKpi(BaseModel):
    """The province's figure for one KPI in a consolidated report."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    indicator: str = Field(examples=["c"])
    attainment: float | None = Field(description="In [0, 1]; null without data.")
    status: Status | None = Field(description="Null without data.")


class ConsolidatedReportProduced(Event):
    """The monthly consolidated report for the provincial chairman was produced (on the 24th).

    Subject: `bdhvs.kpi.consolidated.<period>`, once per month. The files stay in kpi: fetch
    them from `xlsx_url` / `html_url` with an operator's token.
    """

    TYPE: ClassVar[str] = "bdhvs.kpi.consolidated"
    SCHEMA_VERSION: ClassVar[int] = 1

    event_type: Literal["bdhvs.kpi.consolidated"] = "bdhvs.kpi.consolidated"
    period: str = Field(description="The month, e.g. 2026-03.", examples=["2026-03"])
    as_of: date = Field(description="As-of day of the month's figures.")
    produced_at: datetime = Field(description="When the files were made.")
    xlsx_url: str = Field(
        description="Where the workbook is: kpi's archive route, absolute when PUBLIC_BASE_URL is set.",
        examples=["/api/v1/consolidated/archive/2026-03.xlsx"],
    )
    html_url: str = Field(description="Where the printable page is.")
    xlsx_sha256: str = Field(description="SHA-256 of the workbook, hex.")
    xlsx_bytes: int = Field(ge=0, description="Size of the workbook.")
    completeness: list[GroupReporting] = Field(
        description="The monthly form's completeness when produced: the province, then xa and phuong."
    )
    missing_units: list[str] = Field(description="Codes of the units whose monthly report is missing.")
    late_units: list[str] = Field(description="Codes of the units whose monthly report came late.")
    province: list[ProvinceKpi] = Field(description="The province's five KPIs.")
