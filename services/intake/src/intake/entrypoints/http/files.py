"""Excel and CSV, the clerks' way: upload a filled template (dry run, then commit); the template
itself is downloaded from `templates.py`."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from intake.adapters import spreadsheets
from intake.adapters.spreadsheets import ReadLimits
from intake.domain.imports import Refusal, forbidden_rows
from intake.domain.problems import MAX_LISTED, Problem, Severity, problem, truncation
from intake.domain.tabular import Located, columns_read
from intake.entrypoints.http.auth import CurrentPrincipal
from intake.entrypoints.http.deps import FileReaderDep, ServiceDep, SettingsDep
from intake.entrypoints.http.reports import CONFLICT, ERRORS
from intake.entrypoints.http.schemas import (
    TOKEN_PATTERN,
    ImportedRowOut,
    ImportOut,
    ProblemOut,
    ProblemsOut,
    QueryFlag,
)
from intake.entrypoints.http.uploads import CSV_TYPE, agreed, read_body, read_table
from intake.service_layer.import_file import Imported, ImportNeedsConfirmation, import_table

router = APIRouter(prefix="/api/v1", tags=["files"])

IMPORT_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    **CONFLICT,
    413: {
        "model": ProblemsOut,
        "description": "The file is larger than allowed, or needs more memory or time to read.",
    },
    415: {"model": ProblemsOut, "description": "Neither .xlsx nor CSV."},
}
IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The filled template: .xlsx or CSV (UTF-8, with or without BOM), as the raw body.",
        "content": {
            spreadsheets.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
            CSV_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}

# The import's query parameters.
CsvForm = Annotated[str | None, Query(max_length=50, pattern=TOKEN_PATTERN, description="Required for CSV")]
CsvPeriod = Annotated[str | None, Query(max_length=10, pattern=TOKEN_PATTERN, description="Required for CSV")]
DryRun = Annotated[
    QueryFlag, Query(description="true: check only (default); false: store every row. Only true/false.")
]
Confirm = Annotated[
    QueryFlag, Query(description="true: store despite warnings about the units' history. Only true/false.")
]


@router.post("/imports", response_model=ImportOut, responses=IMPORT_ERRORS, openapi_extra=IMPORT_BODY)
async def import_file(
    principal: CurrentPrincipal,
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    reader: FileReaderDep,
    form: CsvForm = None,
    period: CsvPeriod = None,
    dry_run: DryRun = True,
    confirm: Confirm = False,
) -> Any:
    """Import a filled template: every row is a report; one problem anywhere refuses the whole file.

    Send it with `dry_run=true` (the default) to see every problem and warning with its sheet, row and
    column; then with `dry_run=false` to store all rows in one transaction. An `Idempotency-Key`
    header makes a retried commit return the original result.
    """
    # The use case counts refused files and stored rows and wakes the outbox relay; Forbidden and
    # KeyReused have one handler each (errors.py).
    data = await read_body(request, settings.import_max_bytes)
    limits = ReadLimits(settings.import_max_rows, columns_read(service.catalogue))
    table = await read_table(request, data, reader, limits)
    # Whose rows they are, before the form and period are agreed (a clerk's CSV naming another unit
    # is a 403 even without its form); plan_import checks again once the form is known.
    named_form = service.catalogue.forms.get(table.form or form or "")
    foreign = forbidden_rows(service.catalogue, principal, named_form, table.sheet, table.rows)
    if foreign:
        return _located_response(foreign, table.keys, 403)
    chosen_form = agreed("form", table.form, form)
    chosen_period = agreed("period", table.period, period)
    try:
        outcome = await import_table(
            service,
            principal,
            table,
            chosen_form,
            chosen_period,
            settings.import_max_rows,
            dry_run,
            confirm,
            request.headers.get("idempotency-key"),
            hashlib.sha256(data).hexdigest(),
        )
    except ImportNeedsConfirmation as exc:
        required = problem("report.confirmation_required", "confirm", count=len(exc.pending))
        return _located_response([Located(required, table.sheet, 0, ""), *exc.pending], table.keys, 422)
    if isinstance(outcome, Refusal):
        return _located_response(outcome.problems, table.keys, 403 if outcome.forbidden else 422)
    return _result(outcome)


def _result(imported: Imported) -> ImportOut:
    plan, receipts = imported.plan, imported.receipts
    rows = []
    for index, planned in enumerate(plan.rows):
        receipt = receipts[index] if receipts is not None else None
        rows.append(
            ImportedRowOut(
                row=planned.row,
                unit_code=planned.report.unit.code,
                report_id=receipt.report_id if receipt else None,
                revision=receipt.revision if receipt else None,
                on_time=receipt.on_time if receipt else None,
                warnings=[_out(w) for w in (*planned.report.warnings, *imported.histories[index])],
            )
        )
    return ImportOut(dry_run=receipts is None, form=plan.form, period=plan.period, rows=rows)


def _out(
    p: Problem, sheet: str | None = None, row: int | None = None, column: str | None = None
) -> ProblemOut:
    return ProblemOut(
        code=p.code,
        field=p.field,
        message=p.message,
        severity=p.severity.value,
        sheet=sheet,
        row=row,
        column=column,
    )


def _located_response(problems: list[Located], keys: list[str], status: int) -> JSONResponse:
    def shaped(severity: Severity) -> list[dict[str, Any]]:
        chosen = [p for p in problems if p.problem.severity is severity]
        out = [
            _out(p.problem, p.sheet, p.row, spreadsheets.column_letter(keys, p.column) or None).model_dump()
            for p in chosen[:MAX_LISTED]
        ]
        more = truncation(severity, len(chosen))  # about the whole file: no sheet, row or column
        return out if more is None else [*out, _out(more).model_dump()]

    return JSONResponse(
        {"errors": shaped(Severity.ERROR), "warnings": shaped(Severity.WARNING)}, status_code=status
    )
