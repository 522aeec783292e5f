"""The clerk's pages: Báo cáo của tôi, the entry form and its receipt, history, template, upload."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from bdhvs_shared.catalogue import Unit
from web.domain.problems import Forbidden, Problem
from web.domain.retry_key import retry_key
from web.domain.session import Session
from web.entrypoints.http.deps import ContainerDep, IntakeDep, PagesDep, SessionDep
from web.entrypoints.http.security import checked_form
from web.service_layer import clerk
from web.service_layer.clerk import FormPage, NotFound

router = APIRouter()


@dataclass(frozen=True)
class Shape:
    """A form code's or a period's shape: the paths' parameters and the upload's CSV fields."""

    pattern: str  # unanchored: the whole text must match
    max_length: int

    def path(self) -> Any:
        return Path(max_length=self.max_length, pattern=f"^{self.pattern}$")

    def fits(self, text: str) -> bool:
        return len(text) <= self.max_length and re.fullmatch(self.pattern, text) is not None


FORM_CODE = Shape(r"[a-z][a-z0-9_]*", 50)
PERIOD = Shape(r"[0-9A-Z-]+", 10)
Code = Annotated[str, FORM_CODE.path()]
PeriodText = Annotated[str, PERIOD.path()]
MAX_UPLOAD = 2_000_000


def _unit(container: ContainerDep, session: Session) -> Unit:
    unit = clerk.reporting_unit(container.catalogue, session)
    if unit is None:
        raise Forbidden(403)  # operators and admins read; communes and agencies report
    return unit


@router.get("/bao-cao")
async def my_reports(session: SessionDep, container: ContainerDep, pages: PagesDep) -> Response:
    unit = _unit(container, session)
    now = container.clock.now()
    due = await clerk.my_reports(
        container.intake, container.catalogue, session, unit, now, container.calendar
    )
    return pages("my_reports.html", session, title="Báo cáo của tôi", unit=unit, due=due, now=now)


def _form_page(pages: PagesDep, session: Session, page: FormPage, status: int = 200) -> Response:
    title = f"{page.form.name_vi} — kỳ {page.period}"
    return pages("entry_form.html", session, status=status, title=title, page=page)


@router.get("/bao-cao/{form}/{period}")
async def entry_form(
    form: Code, period: PeriodText, session: SessionDep, container: ContainerDep, pages: PagesDep
) -> Response:
    unit = _unit(container, session)
    page = await clerk.open_form(container.intake, container.catalogue, session, unit, form, period)
    return _form_page(pages, session, page)


@router.post("/bao-cao/{form}/{period}")
async def submit(
    request: Request,
    form: Code,
    period: PeriodText,
    session: SessionDep,
    container: ContainerDep,
    pages: PagesDep,
) -> Response:
    posted = await checked_form(request, session)
    unit = _unit(container, session)
    fields = {k: v for k, v in posted.items() if isinstance(v, str)}
    outcome = await clerk.submit_form(
        container.intake, container.catalogue, session, unit, form, period, fields
    )
    if isinstance(outcome, FormPage):
        return _form_page(pages, session, outcome, status=422)
    return pages(
        "receipt.html",
        session,
        status=201,
        title="Biên nhận báo cáo",
        receipt=outcome,
        form=container.catalogue.forms[form],
        unit=unit,
    )


@router.get("/bao-cao/lich-su/{report_id}")
async def history(
    report_id: Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")],
    session: SessionDep,
    container: ContainerDep,
    pages: PagesDep,
) -> Response:
    report, diffs = await clerk.history(container.intake, session, report_id)
    form = container.catalogue.forms.get(report["form"])
    unit = container.catalogue.unit(report["unit_code"])
    return pages(
        "history.html", session, title="Lịch sử báo cáo", report=report, diffs=diffs, form=form, unit=unit
    )


@router.get("/bao-cao/mau/{form}/{period}")
async def template(
    form: Code,
    period: PeriodText,
    session: SessionDep,
    intake: IntakeDep,
    fmt: Annotated[str, Query(alias="dinh-dang", pattern=r"^(xlsx|csv)$")] = "xlsx",
    unit: Annotated[str | None, Query(alias="don-vi", pattern=r"^[0-9]{2,5}$")] = None,
) -> Response:
    reply = await intake.template(session.token, form, period, unit, fmt)
    return Response(
        reply.content,
        media_type=reply.media_type,
        headers={"Content-Disposition": f'attachment; filename="{reply.filename}"'},
    )


@router.get("/bao-cao/tai-len")
async def upload_page(session: SessionDep, container: ContainerDep, pages: PagesDep) -> Response:
    return _upload_page(pages, session, container, 200, None)


@router.post("/bao-cao/tai-len")
async def upload(request: Request, session: SessionDep, container: ContainerDep, pages: PagesDep) -> Response:
    posted = await checked_form(request, session)
    commit = posted.get("commit") == "yes"
    chosen = _checked_file(posted) if commit else await _chosen_file(posted)
    key = retry_key(posted.get("key"))
    csv_form = _csv_choice(posted, "form", FORM_CODE, "Biểu mẫu không hợp lệ.")
    csv_period = _csv_choice(posted, "period", PERIOD, "Kỳ báo cáo không hợp lệ (ví dụ 2026-03).")
    for problem in (chosen, key, csv_form, csv_period):
        if isinstance(problem, Problem):
            status = 413 if problem.code == "file.too_large" else 422
            failed = clerk.UploadResult(True, errors=[problem])
            return _upload_page(pages, session, container, status, failed)
    assert not isinstance(chosen, Problem) and not isinstance(key, Problem)
    assert not isinstance(csv_form, Problem) and not isinstance(csv_period, Problem)
    data, filename = chosen
    result = await clerk.upload(
        container.intake,
        session,
        data,
        filename,
        dry_run=not commit,
        confirm=posted.get("confirm") == "yes",
        form=csv_form,
        period=csv_period,
        key=key,
    )
    encoded = base64.b64encode(data).decode() if result.committable or result.needs_confirm else ""
    status = 403 if result.forbidden else 422 if result.errors else 200
    chosen_csv = (csv_form or "", csv_period or "")
    retry = str(uuid.uuid4())
    return _upload_page(pages, session, container, status, result, encoded, filename, retry, chosen_csv)


def _csv_choice(posted: FormData, field: str, shape: Shape, message: str) -> str | Problem | None:
    """The form or period chosen for a CSV (which, unlike the Excel template, does not name them)."""
    value = str(posted.get(field) or "").strip()
    if not value:
        return None  # an Excel file names its own; intake says so if a CSV lacks them
    return value if shape.fits(value) else Problem("field.invalid", field, message)


def _checked_file(posted: FormData) -> tuple[bytes, str] | Problem:
    """The file of the dry run, sent back with the commit (base64 in a hidden field)."""
    try:
        data = base64.b64decode(str(posted.get("data") or ""), validate=True)
    except (binascii.Error, ValueError):
        raise NotFound("Tệp đã kiểm tra không còn: vui lòng chọn lại tệp.") from None
    return _sized(data, str(posted.get("filename") or ""))


async def _chosen_file(posted: FormData) -> tuple[bytes, str] | Problem:
    """The file chosen for a dry run, or why there is none to check."""
    upload = posted.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return Problem("file.missing", "file", "Chưa chọn tệp: chọn tệp Excel (.xlsx) hoặc CSV đã điền.")
    return _sized(await upload.read(MAX_UPLOAD + 1), upload.filename)


def _sized(data: bytes, filename: str) -> tuple[bytes, str] | Problem:
    if len(data) > MAX_UPLOAD:
        return Problem("file.too_large", "file", "Tệp quá lớn (tối đa 2 MB).")
    return data, filename


def _upload_page(
    pages: Any,
    session: Session,
    container: ContainerDep,
    status: int,
    result: clerk.UploadResult | None,
    data: str = "",
    filename: str = "",
    key: str = "",
    csv: tuple[str, str] = ("", ""),
) -> Response:
    return pages(
        "upload.html",
        session,
        status=status,
        title="Tải lên tệp báo cáo",
        result=result,
        data=data,
        filename=filename,
        key=key,
        forms=sorted(container.catalogue.forms.values(), key=lambda f: f.code),
        csv_form=csv[0],
        csv_period=csv[1],
    )
