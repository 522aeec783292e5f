"""The clerk's use cases: what I owe, the entry form and its receipt, history, template and upload."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import Catalogue, Form, Period, PeriodError, Unit
from web.domain.due import DuePeriod, calendar_deadlines, due_list, periods_needed, submitted_index
from web.domain.entry_form import IndicatorBlock, blocks, raw_from_values, read
from web.domain.problems import ApiRefused, Problem, by_field
from web.domain.session import Session
from web.service_layer.ports import Intake

CONFIRMATION_REQUIRED = "report.confirmation_required"


@dataclass(frozen=True)
class Calendar:
    """How intake judges deadlines and from when a period may be reported (set alike)."""

    tz: ZoneInfo
    deadline_inclusive: bool = False
    early_days: int = 0


async def my_reports(
    intake: Intake, catalogue: Catalogue, session: Session, unit: Unit, now: datetime, calendar: Calendar
) -> list[DuePeriod]:
    page = await intake.reports(session.token, unit=unit.code)
    index = submitted_index(page.get("items", []))
    today = now.astimezone(calendar.tz).date()
    years = periods_needed(catalogue, unit, today, calendar.early_days, session.viewer.agency_code)
    deadlines = calendar_deadlines([await intake.calendar(session.token, year) for year in sorted(years)])
    return due_list(
        catalogue,
        unit,
        index,
        now,
        calendar.tz,
        calendar.deadline_inclusive,
        calendar.early_days,
        session.viewer.agency_code,
        deadlines,
    )


def reporting_unit(catalogue: Catalogue, session: Session) -> Unit | None:
    """The unit a person reports for: a clerk's commune or ward; an agency reports for the province."""
    viewer = session.viewer
    if viewer.is_clerk and viewer.unit_code:
        return catalogue.units.get(viewer.unit_code)
    if viewer.agency_code:
        return catalogue.province
    return None


@dataclass
class FormPage:
    form: Form
    period: str
    unit: Unit
    blocks: list[IndicatorBlock]
    raw: dict[str, str]
    key: str  # the Idempotency-Key of this attempt: a double click stores one revision
    errors: dict[str, list[Problem]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    needs_confirm: bool = False
    latest: dict[str, Any] | None = None  # the report's summary when a revision exists

    @property
    def general_errors(self) -> list[Problem]:
        names = {f.name for b in self.blocks for f in b.fields}
        return [p for k, items in self.errors.items() if k not in names for p in items]


class NotFound(LookupError):
    """A form or period that the catalogue does not know (shown as 404)."""


def resolve(catalogue: Catalogue, form_code: str, period: str) -> Form:
    form = catalogue.forms.get(form_code)
    if form is None:
        raise NotFound(f"Biểu mẫu “{form_code[:40]}” không có trong danh mục.")
    try:
        parsed = Period.parse(period)
    except PeriodError:
        raise NotFound(f"Kỳ báo cáo “{period[:12]}” không hợp lệ.") from None
    if parsed.type is not form.period_type:
        raise NotFound(f"Kỳ “{period}” không phải kỳ của biểu mẫu này.")
    return form


async def open_form(
    intake: Intake, catalogue: Catalogue, session: Session, unit: Unit, form_code: str, period: str
) -> FormPage:
    """The form, filled with the latest revision's figures when the period was reported already."""
    form = resolve(catalogue, form_code, period)
    page = FormPage(form, period, unit, blocks(catalogue, form), {}, str(uuid.uuid4()))
    found = await intake.reports(session.token, unit=unit.code, form=form.code, period=period, limit=1)
    if found.get("items"):
        summary = found["items"][0]
        report = await intake.report(session.token, str(summary["report_id"]))
        page.latest = summary
        page.raw = raw_from_values(report["revisions"][-1]["values"])
    return page


async def submit_form(
    intake: Intake,
    catalogue: Catalogue,
    session: Session,
    unit: Unit,
    form_code: str,
    period: str,
    posted: dict[str, str],
) -> dict[str, Any] | FormPage:
    """The receipt (intake's 201 body), or the form again with every problem at its field and what was
    typed; history warnings come back with a checkbox to confirm."""
    form = resolve(catalogue, form_code, period)
    confirm = posted.get("confirm") == "yes"
    typed = read(catalogue, form, unit.code, period, posted, confirm)
    key = posted.get("key") or str(uuid.uuid4())
    page = FormPage(form, period, unit, blocks(catalogue, form), typed.raw, key)
    if typed.problems:
        page.errors = by_field(typed.problems)
        return page
    try:
        return await intake.submit(session.token, typed.body, key)
    except ApiRefused as refused:
        if refused.status in (401, 403):
            raise
        required = CONFIRMATION_REQUIRED in refused.codes()
        page.errors = by_field([p for p in refused.errors if p.code != CONFIRMATION_REQUIRED])
        page.warnings = list(refused.warnings) + [p for p in refused.errors if p.severity == "warning"]
        page.needs_confirm = required
        page.key = str(uuid.uuid4())  # a new attempt: the refused body was not stored under the old key
        return page


async def history(
    intake: Intake, session: Session, report_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A report with each revision's changes against the one before, newest first."""
    report = await intake.report(session.token, report_id)
    diffs = [await intake.diff(session.token, report_id, r["revision"]) for r in report["revisions"]]
    return report, list(reversed(diffs))


@dataclass
class UploadResult:
    dry_run: bool
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    needs_confirm: bool = False
    forbidden: bool = False  # the file names a unit this person may not file for (intake's 403)
    form: str = ""
    period: str = ""

    @property
    def committable(self) -> bool:
        return self.dry_run and not self.errors


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def content_type(filename: str, data: bytes) -> str:
    if filename.lower().endswith(".csv"):
        return "text/csv"
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return XLSX
    return "application/octet-stream"


async def upload(
    intake: Intake,
    session: Session,
    data: bytes,
    filename: str,
    dry_run: bool,
    confirm: bool,
    form: str | None = None,
    period: str | None = None,
    key: str | None = None,
) -> UploadResult:
    """Send the filled template to intake: a dry run lists every problem at its sheet, row and column."""
    try:
        answer = await intake.import_file(
            session.token, data, content_type(filename, data), dry_run, confirm, form, period, key
        )
    except ApiRefused as refused:
        if refused.status == 401:
            raise
        required = CONFIRMATION_REQUIRED in refused.codes()
        return UploadResult(
            dry_run,
            errors=[p for p in refused.errors if p.code != CONFIRMATION_REQUIRED],
            warnings=refused.warnings,
            needs_confirm=required,
            forbidden=refused.status == 403,
        )
    return UploadResult(
        bool(answer["dry_run"]), rows=answer["rows"], form=answer["form"], period=answer["period"]
    )
