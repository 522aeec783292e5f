"""A form's template for a period, as .xlsx or CSV: one row per unit the caller may file for."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from bdhvs_shared.catalogue import Catalogue, Form, Period, Unit, form_deadline
from intake.adapters import spreadsheets, template_writer
from intake.adapters.template_writer import TemplateRow
from intake.domain.labels import unit_label
from intake.domain.principal import Principal, Role
from intake.domain.tabular import columns
from intake.domain.validation import check_period
from intake.entrypoints.http.auth import CurrentPrincipal
from intake.entrypoints.http.deps import ServiceDep
from intake.entrypoints.http.errors import ApiError
from intake.entrypoints.http.reports import ERRORS
from intake.entrypoints.http.schemas import TOKEN_PATTERN, ProblemsOut
from intake.entrypoints.http.uploads import CSV_TYPE, Refused

router = APIRouter(prefix="/api/v1", tags=["files"])


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
        body, media = template_writer.write_csv(layout, rows), CSV_TYPE
    else:
        deadline = form_deadline(
            chosen, parsed, service.tz, service.deadline_inclusive, service.deadline_workdays
        )
        title = f"{chosen.name_vi} — kỳ {parsed}"
        body = template_writer.write_xlsx(title, chosen.code, str(parsed), deadline, layout, rows)
        media = spreadsheets.XLSX_TYPE
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'}
    )


def _form(form: Form | None, code: str) -> Form:
    if form is None:
        raise ApiError(404, "form.unknown", "form", f"Biểu mẫu “{code[:40]}” không có trong hệ thống.")
    return form


def _period(form: Form, text: str) -> Period:
    checked = check_period(text, form)
    if isinstance(checked, list):
        raise Refused(422, checked[0])
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
