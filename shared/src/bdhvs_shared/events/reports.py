"""Events of the intake context (stream REPORTS, subjects bdhvs.report.>)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bdhvs_shared.events.envelope import Event


class IndicatorValue(BaseModel):
    """One indicator's figures in a report: cumulative, as of the period's as-of day."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    numerator: int = Field(
        ge=0, description="People (units, households…) meeting the indicator.", examples=[15000]
    )
    denominator: int = Field(ge=0, description="The population the indicator is over.", examples=[18000])
    denominator_estimated: bool = Field(
        default=False,
        description="True when the report omitted the denominator and the catalogue's reference "
        "(population × age share, an estimate) was used.",
    )
    parts: dict[str, int] = Field(
        default_factory=dict,
        description="Sub-counts of an indicator that has parts (digital signatures per provider: "
        "vneid, mysign, smartca); empty otherwise. Added in schema version 1 (additive).",
    )


class ReportAccepted(Event):
    """A revision of a unit's report for a form and period was accepted and stored.

    Subject: `bdhvs.report.accepted.<unit_code>`. Every revision is published;
    the latest revision (highest `revision`) of a report is the one that counts.
    """

    TYPE: ClassVar[str] = "bdhvs.report.accepted"
    SCHEMA_VERSION: ClassVar[int] = 1

    event_type: Literal["bdhvs.report.accepted"] = "bdhvs.report.accepted"
    report_id: UUID = Field(
        description="Stable id of the report (unit, form, period), the same for all revisions."
    )
    revision: int = Field(ge=1, description="1 for the first submission, then 2, 3…")
    unit_code: str = Field(
        pattern=r"^\d{2}(\d{3})?$",
        description="GSO code of the reporting unit.",
        examples=["09313"],
    )
    form: str = Field(description="Catalogue code of the form.", examples=["monthly"])
    period: str = Field(
        description="Canonical period: 2026-W10, 2026-03, 2026-Q1, 2026-H1 or 2026.",
        examples=["2026-03"],
    )
    as_of: date = Field(
        description="Day the figures are as of (the 14th of the period's last month by default)."
    )
    values: dict[str, IndicatorValue] = Field(
        description="Figures per indicator code of the form (a, b, c, d, dd and the operational indicators). "
        "Yes/no indicators are 1/1 or 0/1; counts have denominator 0 (no attainment)."
    )
    received_at: AwareDatetime = Field(description="When intake received this revision.")
    deadline: AwareDatetime = Field(description="The form's cut-off for this period.")
    on_time: bool = Field(
        description="Whether the FIRST revision arrived before the cut-off; corrections keep it."
    )
    submitted_by: str = Field(description="Who submitted: the token's role and subject, e.g. commune:09313.")
    catalogue_version: str = Field(description="Version of the catalogue the report was validated against.")
