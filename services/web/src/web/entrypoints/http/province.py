"""The province's pages: dashboard (live), a commune's page, a KPI's ranking, charts, exports, the
consolidated monthly report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from web.adapters import charts, exports
from web.domain.due import open_periods
from web.domain.entry_form import indicator_label
from web.domain.problems import Forbidden
from web.domain.session import Session
from web.entrypoints.http.deps import ContainerDep, PagesDep, SessionDep
from web.service_layer import province
from web.service_layer.clerk import NotFound

router = APIRouter()
UnitCode = Annotated[str, Path(pattern=r"^[0-9]{2}([0-9]{3})?$")]
Indicator = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
PeriodQuery = Annotated[str | None, Query(alias="ky", max_length=10, pattern=r"^[0-9A-Z-]+$")]
KindQuery = Annotated[Literal["xa", "phuong"] | None, Query(alias="loai")]
Ext = Literal["csv", "xlsx"]


def _province_reader(session: Session) -> None:
    if not session.viewer.sees_province:
        raise Forbidden(403)


def _kpi(container: ContainerDep, indicator: str) -> None:
    found = container.catalogue.indicators.get(indicator)
    if found is None:
        raise NotFound(f"Chỉ tiêu “{indicator}” không có trong danh mục.")


@router.get("/tong-quan")
async def dashboard(
    session: SessionDep, container: ContainerDep, pages: PagesDep, period: PeriodQuery = None
) -> Response:
    _province_reader(session)
    view = await province.dashboard(
        container.kpi, container.notifier, container.catalogue, session, _today(container), period
    )
    return pages(
        "dashboard.html",
        session,
        title="Tổng quan toàn tỉnh",
        d=view,
        poll_ms=int(container.settings.live_poll_seconds * 1000),
    )


@router.get("/tong-quan/truc-tiep")
async def dashboard_live(
    session: SessionDep,
    container: ContainerDep,
    pages: PagesDep,
    period: PeriodQuery = None,
    version: Annotated[str, Query(alias="v", max_length=40)] = "",
) -> Response:
    """The live part of the dashboard: 204 while nothing changed, else the new HTML (polled every 2 s)."""
    _province_reader(session)
    view = await province.dashboard(
        container.kpi, container.notifier, container.catalogue, session, _today(container), period
    )
    if view.version == version:
        return Response(status_code=204)
    html = container.renderer.render(
        "_dashboard_live.html", d=view, viewer=session.viewer, catalogue=container.catalogue
    )
    return HTMLResponse(html, headers={"X-Version": view.version})


def _today(container: Any) -> date:
    today: date = container.clock.now().astimezone(container.tz).date()
    return today


@router.get("/don-vi/{unit}")
async def commune(unit: UnitCode, session: SessionDep, container: ContainerDep, pages: PagesDep) -> Response:
    found = container.catalogue.unit(unit)
    if not session.viewer.may_open_unit(unit, container.catalogue.province.code):
        raise Forbidden(403)  # before anything is asked or shown
    if found is None:
        raise NotFound(f"Không có đơn vị mã {unit} trong danh mục.")
    page = await province.commune_page(
        container.kpi, container.intake, container.notifier, session, container.catalogue, found
    )
    return pages("commune.html", session, title=found.name, p=page)


@router.get("/xep-hang/{indicator}")
async def ranking(
    indicator: Indicator,
    session: SessionDep,
    container: ContainerDep,
    pages: PagesDep,
    kind: KindQuery = None,
    sort: Annotated[str, Query(alias="sap-xep", max_length=20)] = "rank",
    order: Annotated[Literal["asc", "desc"], Query(alias="thu-tu")] = "asc",
) -> Response:
    _province_reader(session)
    _kpi(container, indicator)
    view = await province.ranking(container.kpi, session, container.catalogue, indicator, kind, sort, order)
    return pages(
        "ranking.html",
        session,
        title=f"Xếp hạng chỉ tiêu {indicator_label(indicator, container.catalogue)}",
        r=view,
    )


def _svg(content: bytes) -> Response:
    # The chart is a document of its own (shown with <img>): pygal's styles are inside it, no script.
    return Response(
        content,
        media_type="image/svg+xml",
        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
    )


@router.get("/bieu-do/lich-su/{unit}/{indicator}.svg")
async def history_chart(
    unit: UnitCode, indicator: Indicator, session: SessionDep, container: ContainerDep
) -> Response:
    if not session.viewer.may_open_unit(unit, container.catalogue.province.code):
        raise Forbidden(403)
    _kpi(container, indicator)
    token = session.token
    history = await container.kpi.history(token, unit, indicator)
    current = await container.kpi.attainment(token, unit=unit, indicator=indicator)
    now = current[0] if current else {}
    due = now.get("target_due")
    name = container.catalogue.unit(unit).name if container.catalogue.unit(unit) else unit
    return _svg(
        charts.history_chart(
            f"Chỉ tiêu {indicator_label(indicator, container.catalogue)} — {name}",
            history["points"],
            now.get("target_value"),
            date.fromisoformat(due) if due else None,
            now.get("projected"),
        )
    )


@router.get("/bieu-do/xep-hang/{indicator}.svg")
async def ranking_chart(
    indicator: Indicator, session: SessionDep, container: ContainerDep, kind: KindQuery = None
) -> Response:
    _province_reader(session)
    _kpi(container, indicator)
    answer = await container.kpi.ranking(session.token, indicator, kind)
    title = f"Xếp hạng chỉ tiêu {indicator_label(indicator, container.catalogue)} (30 đơn vị đầu)"
    return _svg(charts.ranking_chart(title, answer["rows"]))


def _file(rows: list[list[str]], name: str, ext: Ext) -> Response:
    if ext == "xlsx":
        body, media = exports.xlsx(name[:31], rows), exports.XLSX
    else:
        body, media = exports.csv_bytes(rows), "text/csv; charset=utf-8"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'}
    )


@router.get("/xuat/day-du.{ext}")
async def export_completeness(
    ext: Ext, session: SessionDep, container: ContainerDep, period: PeriodQuery = None
) -> Response:
    _province_reader(session)
    period = period or province.current_period(
        container.catalogue, province.DASHBOARD_FORM, _today(container)
    )
    reply = await container.kpi.csv(
        session.token, "/api/v1/completeness", {"form": province.DASHBOARD_FORM, "period": period}
    )
    return _file(exports.rows_of_csv(reply.content), f"day-du-{period}", ext)


@router.get("/xuat/xep-hang-{indicator}.{ext}")
async def export_ranking(
    indicator: Indicator, ext: Ext, session: SessionDep, container: ContainerDep, kind: KindQuery = None
) -> Response:
    _province_reader(session)
    _kpi(container, indicator)
    reply = await container.kpi.csv(session.token, "/api/v1/ranking", {"indicator": indicator, "kind": kind})
    return _file(exports.rows_of_csv(reply.content), f"xep-hang-{indicator}", ext)


@router.get("/xuat/bang-tinh.{ext}")
async def export_table(ext: Ext, session: SessionDep, container: ContainerDep) -> Response:
    _province_reader(session)
    reply = await container.kpi.csv(session.token, "/api/v1/table", {})
    return _file(exports.rows_of_csv(reply.content), "bang-tinh", ext)


@router.get("/xuat/lich-su-{unit}-{indicator}.{ext}")
async def export_history(
    unit: UnitCode, indicator: Indicator, ext: Ext, session: SessionDep, container: ContainerDep
) -> Response:
    if not session.viewer.may_open_unit(unit, container.catalogue.province.code):
        raise Forbidden(403)
    _kpi(container, indicator)
    history = await container.kpi.history(session.token, unit, indicator)
    header = [
        "as_of",
        "numerator",
        "denominator",
        "attainment",
        "pace_pp_per_30d",
        "projected",
        "status",
        "target_value",
    ]
    rows = [header] + [[p.get(k) for k in header] for p in history["points"]]
    return _file(rows, f"lich-su-{unit}-{indicator}", ext)


@router.get("/bao-cao-tong-hop")
async def consolidated(
    session: SessionDep, container: ContainerDep, pages: PagesDep, period: PeriodQuery = None
) -> Response:
    _province_reader(session)
    today = _today(container)
    months = [
        str(p) for p in open_periods(container.catalogue.forms[province.DASHBOARD_FORM], today, count=12)
    ]
    period = period or months[0]
    view = await province.dashboard(container.kpi, None, container.catalogue, session, today, period)
    return pages(
        "consolidated.html", session, title=f"Báo cáo tổng hợp tháng {period}", d=view, months=months
    )


@router.get("/bao-cao-tong-hop/{period}.{ext}")
async def consolidated_file(
    period: Annotated[str, Path(pattern=r"^[0-9]{4}-[0-9]{2}$")],
    ext: Literal["xlsx", "html", "pdf"],
    session: SessionDep,
    container: ContainerDep,
) -> Response:
    _province_reader(session)
    reply = await container.kpi.consolidated(session.token, period, ext)
    if ext == "html":
        # kpi's printable page keeps its styles inline; it has no script (CSP allows none).
        return HTMLResponse(
            reply.content,
            headers={
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"
            },
        )
    return Response(
        reply.content,
        media_type=reply.media_type,
        headers={"Content-Disposition": f'attachment; filename="bao-cao-tong-hop-{period}.{ext}"'},
    )
