"""Request and reply bodies: one model per direction; they drive the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

from bdhvs_shared.events import MAX_FIGURE

# Query filters and codes: letters, digits, "_" and "-" only (no NUL or spaces reach the database).
TOKEN_PATTERN = r"^[0-9A-Za-z_-]+$"

# A figure: a JSON whole number (not a string, not 1.0) from 0 to MAX_FIGURE (10^9), the event's bound.
Figure = Annotated[StrictInt, Field(ge=0, le=MAX_FIGURE)]


def _true_or_false(value: object) -> object:
    """A query flag as written in a URL: "true" or "false" (any case); anything else stays as it is,
    and StrictBool refuses it. "0", "1", "yes", "no", "on" and "off" are not taken for a yes or a no."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


# A yes/no given in a query string where a person's intent matters (commit, confirm).
QueryFlag = Annotated[StrictBool, BeforeValidator(_true_or_false)]


class IndicatorValueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numerator: Figure = Field(
        description="Whole number from 0 to 10^9, and at most 10 times the unit's population.",
        examples=[15000],
    )
    denominator: Figure | None = Field(
        default=None,
        description="Whole number ≥ numerator; omit it to use the catalogue's reference (an estimate). "
        "Yes/no indicators: 1 or omitted; counts: omitted.",
        examples=[18000],
    )
    parts: dict[str, Figure] | None = Field(
        default=None,
        max_length=20,
        description="Sub-counts for an indicator that has parts (digital signatures per provider: "
        "vneid, mysign, smartca), each ≤ the denominator; the numerator lies between the largest "
        "part and their sum.",
        examples=[{"vneid": 9000, "mysign": 2500, "smartca": 1500}],
    )


class ReportIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "unit_code": "09313",
                    "form": "monthly",
                    "period": "2026-03",
                    "values": {
                        "c": {"numerator": 15000, "denominator": 18000},
                        "d": {"numerator": 9000, "denominator": 18000},
                    },
                }
            ]
        },
    )

    unit_code: str = Field(max_length=10, description="GSO code of the commune or ward.", examples=["09313"])
    form: str = Field(max_length=50, description="Form code from the catalogue.", examples=["monthly"])
    period: str = Field(
        max_length=10,
        description="2026-W10, 2026-03, 2026-Q1, 2026-H1 or 2026.",
        examples=["2026-03"],
    )
    values: dict[str, IndicatorValueIn] = Field(description="Figures per indicator code of the form.")
    submission_id: UUID | None = Field(
        default=None,
        description="Optional client-chosen id; acts as an Idempotency-Key when that header is absent.",
    )
    confirm: StrictBool = Field(
        default=False,
        description="true: store the report despite warnings about the unit's history (a cumulative "
        "figure falling, a figure far from the last one); otherwise such a report is refused with 422 "
        'and the warnings to confirm. A JSON boolean only: 0, 1 or "yes" is refused '
        "(422 field.not_boolean).",
    )


class ProblemOut(BaseModel):
    code: str = Field(description="Stable machine code, e.g. value.numerator_above_denominator.")
    field: str = Field(description="Where: a JSON path such as values.c.numerator.")
    message: str = Field(description="What is wrong and what to do, in Vietnamese.")
    severity: str = Field(default="error", description="error or warning.")
    sheet: str | None = Field(default=None, description="For a file: the sheet (CSV: 'CSV').")
    row: int | None = Field(default=None, description="For a file: the 1-based row; 0 for the whole file.")
    column: str | None = Field(default=None, description="For a file: the column letter, e.g. 'C'.")


class ProblemsOut(BaseModel):
    errors: list[ProblemOut]
    warnings: list[ProblemOut] = []


class ReportAcceptedOut(BaseModel):
    report_id: UUID
    revision: int
    unit_code: str
    form: str
    period: str
    as_of: date
    received_at: datetime
    deadline: datetime = Field(description="The cut-off the first revision was judged against.")
    on_time: bool = Field(description="Decided by the first revision; corrections keep it.")
    event_id: UUID = Field(description="Id of the bdhvs.report.accepted event for this revision.")
    replayed: bool = Field(
        default=False,
        description="True when this is the original reply to an earlier request with the same key.",
    )
    warnings: list[ProblemOut] = []


class RevisionOut(BaseModel):
    revision: int
    received_at: datetime
    submitted_by: str
    event_id: UUID
    values: dict[str, Any]


class ReportSummaryOut(BaseModel):
    report_id: UUID
    unit_code: str
    form: str
    period: str
    as_of: date
    first_received_at: datetime
    deadline: datetime
    on_time: bool
    latest_revision: int


class ReportOut(ReportSummaryOut):
    revisions: list[RevisionOut]


class ReportPageOut(BaseModel):
    items: list[ReportSummaryOut]
    total: int = Field(description="Reports matching the filters, in all.")
    limit: int
    offset: int


class ChangeOut(BaseModel):
    indicator: str
    field: str = Field(description="numerator, denominator or parts.<name>")
    before: int | None
    after: int | None


class RevisionDiffOut(BaseModel):
    report_id: UUID
    revision: int
    compared_with: int | None = Field(description="The previous revision; None for the first one.")
    submitted_by: str
    received_at: datetime
    changes: list[ChangeOut]


class ImportedRowOut(BaseModel):
    row: int = Field(description="The row in the file.")
    unit_code: str
    report_id: UUID | None = Field(description="None in a dry run: nothing was stored.")
    revision: int | None
    on_time: bool | None
    warnings: list[ProblemOut] = []


class ImportOut(BaseModel):
    dry_run: bool = Field(description="True: checked only, nothing stored; send again with dry_run=false.")
    form: str
    period: str
    rows: list[ImportedRowOut]
