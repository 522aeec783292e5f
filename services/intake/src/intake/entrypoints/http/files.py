"""Excel and CSV, the clerks' way: download a form's template, upload it filled (dry run, then commit)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from bdhvs_shared.catalogue import Catalogue, Form, Period, Unit, form_deadline
from intake.adapters import spreadsheets
from intake.adapters.isolation import FileReader
from intake.adapters.spreadsheets import ReadLimits, TemplateRow, UnreadableFile
from intake.domain.imports import Refusal
from intake.domain.labels import unit_label
from intake.domain.principal import Principal, Role
from intake.domain.problems import MAX_LISTED, Problem, Severity, problem, truncation
from intake.domain.tabular import Located, columns, columns_read
from intake.domain.validation import check_period
from intake.entrypoints.http.auth import CurrentPrincipal
from intake.entrypoints.http.deps import FileReaderDep, ServiceDep, SettingsDep
from intake.entrypoints.http.errors import ApiError
from intake.entrypoints.http.reports import CONFLICT, ERRORS
from intake.entrypoints.http.schemas import (
    TOKEN_PATTERN,
    ImportedRowOut,
    ImportOut,
    ProblemOut,
    ProblemsOut,
    QueryFlag,
)
from intake.service_layer.import_file import Imported, ImportNeedsConfirmation, import_table

router = APIRouter(prefix="/api/v1", tags=["files"])

CSV_TYPE = "text/csv"
_FILE_TYPES: dict[str, Literal["xlsx", "csv"]] = {spreadsheets.XLSX_TYPE: "xlsx", CSV_TYPE: "csv"}


@router.get(
    "/templates/{form}",
    responses={
        200: {"content": {spreadsheets.XLSX_TYPE: {}, CSV_TYPE: {}}, "description": "The template."},
        **ERRORS,
        404: {"model": ProblemsOut},
    },
    response_class=Response,
)
async def template(
    form: str,
    principal: CurrentPrincipal,
    service: ServiceDep,
    period: Annotated[str, Query(max_length=10, pattern=TOKEN_PATTERN, description="e.g. 2026-03")],
    unit: Annotated[
        str | None, Query(max_length=10, pattern=TOKEN_PATTERN, description="One unit; omit for every unit")
    ] = None,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
) -> Response:
    """A form's template for a period: one row per unit, Vietnamese headers, input cells validated.

    A commune gets its own row; an agency the province's; operators one unit or every unit that
    files the form (a province-wide sheet).
    """
    chosen = _form(service.catalogue.forms.get(form), form)
    parsed = _period(chosen, period)
    units = _units(principal, chosen, unit, service.catalogue)
    layout = columns(service.catalogue, chosen)
    rows = [TemplateRow(u.code, unit_label(u)) for u in units]
    name = f"{chosen.code}_{parsed}" + (f"_{units[0].code}" if len(units) == 1 else "")
    if format == "csv":
        body, media = spreadsheets.write_csv(layout, rows), CSV_TYPE
    else:
        deadline = form_deadline(chosen, parsed, service.tz, service.deadline_inclusive)
        title = f"{chosen.name_vi} — kỳ {parsed}"
        body = spreadsheets.write_xlsx(title, chosen.code, str(parsed), deadline, layout, rows)
        media = spreadsheets.XLSX_TYPE
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'}
    )


@router.post(
    "/imports",
    response_model=ImportOut,
    responses={
        **ERRORS,
        **CONFLICT,
        413: {
            "model": ProblemsOut,
            "description": "The file is larger than allowed, or needs more memory or time to read.",
        },
        415: {"model": ProblemsOut, "description": "Neither .xlsx nor CSV."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The filled template: .xlsx or CSV (UTF-8, with or without BOM), as the raw body.",
            "content": {
                spreadsheets.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                CSV_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def import_file(
    principal: CurrentPrincipal,
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    reader: FileReaderDep,
    form: Annotated[
        str | None, Query(max_length=50, pattern=TOKEN_PATTERN, description="Required for CSV")
    ] = None,
    period: Annotated[
        str | None, Query(max_length=10, pattern=TOKEN_PATTERN, description="Required for CSV")
    ] = None,
    dry_run: Annotated[
        QueryFlag, Query(description="true: check only (default); false: store every row. Only true/false.")
    ] = True,
    confirm: Annotated[
        QueryFlag,
        Query(description="true: store despite warnings about the units' history. Only true/false."),
    ] = False,
) -> Any:
    """Import a filled template: every row is a report; one problem anywhere refuses the whole file.

    Send it with `dry_run=true` (the default) to see every problem and warning with its sheet, row and
    column; then with `dry_run=false` to store all rows in one transaction. An `Idempotency-Key`
    header makes a retried commit return the original result.
    """
    # The use case counts refused files and stored rows and wakes the outbox relay; Forbidden and
    # KeyReused have one handler each (errors.py).
    data = await _body(request, settings.import_max_bytes)
    limits = ReadLimits(settings.import_max_rows, columns_read(service.catalogue))
    table = await _read(request, data, reader, limits)
    chosen_form = _agree("form", table.form, form)
    chosen_period = _agree("period", table.period, period)
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


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = problem("file.too_large", "", limit=f"{limit // 1024} KB")
    if declared.isdigit() and int(declared) > limit:
        raise _Refused(413, too_large)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _Refused(413, too_large)
        chunks.append(chunk)
    return b"".join(chunks)


async def _read(request: Request, data: bytes, reader: FileReader, limits: ReadLimits) -> spreadsheets.Table:
    content_type = request.headers.get("content-type", "")
    kind = _FILE_TYPES.get(content_type.split(";")[0].strip().lower())
    if kind is None and content_type.startswith("application/octet-stream"):
        kind = "xlsx" if data.startswith(b"PK\x03\x04") else "csv"
    if kind is None:
        raise _Refused(415, problem("file.unsupported_type", ""))
    try:
        return await reader.read(kind, data, limits)
    except UnreadableFile as exc:
        status = 413 if exc.code in {"file.too_large", "file.too_complex"} else 422
        raise _Refused(status, problem(exc.code, "", **exc.params)) from None


def _agree(name: Literal["form", "period"], in_file: str | None, requested: str | None) -> str:
    if in_file and requested and in_file != requested:
        subject = "Biểu mẫu" if name == "form" else "Kỳ báo cáo"
        raise _Refused(
            422, problem("file.form_mismatch", name, subject=subject, in_file=in_file, requested=requested)
        )
    chosen = in_file or requested
    if not chosen:
        subject = "Biểu mẫu" if name == "form" else "Kỳ báo cáo"
        raise _Refused(422, problem("field.missing", name, subject=f"{subject} (tham số {name} của tệp CSV)"))
    return chosen


class _Refused(ApiError):
    def __init__(self, status: int, p: Problem) -> None:
        super().__init__(status, p.code, p.field, p.message)


def _form(form: Form | None, code: str) -> Form:
    if form is None:
        raise ApiError(404, "form.unknown", "form", f"Biểu mẫu “{code[:40]}” không có trong hệ thống.")
    return form


def _period(form: Form, text: str) -> Period:
    checked = check_period(text, form)
    if isinstance(checked, list):
        raise _Refused(422, checked[0])
    return checked


def _units(principal: Principal, form: Form, code: str | None, catalogue: Catalogue) -> list[Unit]:
    expected = catalogue.expected_reporters(form)
    if principal.role is Role.COMMUNE:
        code = code or principal.unit_code
    elif principal.role is Role.AGENCY:
        code = code or catalogue.province.code
    chosen = [u for u in expected if code is None or u.code == code]
    if not chosen:
        known = catalogue.unit(code) if code else None
        label = known.name if known else (code or "")[:10]
        raise ApiError(
            422,
            "form.not_for_unit",
            "unit",
            f"Đơn vị “{label}” không thuộc đối tượng nộp biểu mẫu “{form.code}”.",
        )
    if not all(principal.may_submit(u.code, form) or principal.role is Role.ADMIN for u in chosen):
        raise ApiError(
            403, "auth.forbidden_unit", "unit", "Mã truy cập này chỉ tải được mẫu của đơn vị mình."
        )
    return chosen
