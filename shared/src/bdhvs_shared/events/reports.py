"""Events of the intake context (stream REPORTS, subjects bdhvs.report.>)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bdhvs_shared.events.envelope import Event

# The largest figure a report may carry (numerator, denominator or part): 10^9, more than ten times
# Vietnam's population. Every consumer must store it; sums over the province's units (~100 × 10^9)
# stay exact in a BIGINT, in a JSON number read by JavaScript (2^53) and in a spreadsheet cell.
MAX_FIGURE = 1_000_000_000

Figure = Annotated[int, Field(ge=0, le=MAX_FIGURE)]


class IndicatorValue(BaseModel):
    """One indicator's figures in a report: cumulative, as of the period's as-of day."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    numerator: int = Field(
        ge=0,
        le=MAX_FIGURE,
        description="People (units, households…) meeting the indicator. At most 10^9: intake refuses "
        "a larger figure, so every consumer can store each figure and the province's sums of them.",
        examples=[15000],
    )
    denominator: int = Field(
        ge=0,
        le=MAX_FIGURE,
        description="The population the indicator is over. At most 10^9.",
        examples=[18000],
    )
    denominator_estimated: bool = Field(
        default=False,
        description="True when the report omitted the denominator and the catalogue's reference "
        "(population × age share, an estimate) was used.",
    )
    parts: dict[str, Figure] = Field(
        default_factory=dict,
        description="Sub-counts of an indicator that has parts (digital signatures per provider: "
        "vneid, mysign, smartca), each 0..10^9; empty otherwise. Added in schema version 1 (additive).",
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
