"""The province's pages: the dashboard of the current period, a commune's page, a KPI's ranking."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bdhvs_shared.catalogue import Catalogue, Unit
from web.domain.due import open_periods
from web.domain.kpis import KpiLine, kpi_lines, sort_ranking
from web.domain.problems import Forbidden
from web.domain.session import Session
from web.service_layer.ports import Intake, Kpi, Notifier

DASHBOARD_FORM = "monthly"


@dataclass
class Dashboard:
    form: str
    form_name: str
    period: str
    deadline: str
    groups: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    late: list[dict[str, Any]]
    kpis: list[KpiLine]
    contacts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    periods: list[str] = field(default_factory=list)

    @property
    def version(self) -> str:
        """Changes whenever a figure shown changes: the page's script reloads the live part then."""
        state = json.dumps(
            [self.groups, [u["unit_code"] for u in self.missing], [vars(k) for k in self.kpis]],
            default=str,
            sort_keys=True,
        )
        return hashlib.sha256(state.encode()).hexdigest()[:16]


def current_period(catalogue: Catalogue, form_code: str, today: date, early_days: int = 0) -> str:
    return str(open_periods(catalogue.forms[form_code], today, early_days, count=1)[0])


async def dashboard(
    kpi: Kpi,
    notifier: Notifier | None,
    catalogue: Catalogue,
    session: Session,
    today: date,
    period: str | None = None,
    form: str = DASHBOARD_FORM,
) -> Dashboard:
    period = period or current_period(catalogue, form, today)
    # The three reads at once: the page waits for the slowest, not for their sum (docs/benchmark.md).
    completeness, attainment, contacts = await asyncio.gather(
        kpi.completeness(session.token, form, period),
        kpi.attainment(session.token, unit=catalogue.province.code),
        _contacts(notifier, session),
    )
    recent = [str(p) for p in open_periods(catalogue.forms[form], today, count=6)]
    return Dashboard(
        form=form,
        form_name=completeness["form_name"],
        period=completeness["period"],
        deadline=completeness["deadline"],
        groups=completeness["groups"],
        missing=completeness["missing"],
        late=completeness["late"],
        kpis=kpi_lines(catalogue, attainment, catalogue.province.code),
        contacts=contacts if completeness["missing"] else {},
        periods=recent,
    )


async def _contacts(notifier: Notifier | None, session: Session) -> dict[str, list[dict[str, Any]]]:
    """Whom to call about a missing unit: the active contacts by unit (none for an agency: it reads the
    figures, not the directory)."""
    contacts: dict[str, list[dict[str, Any]]] = {}
    if notifier is None:
        return contacts
    try:
        for c in await notifier.contacts(session.token, active="true"):
            contacts.setdefault(c["unit_code"], []).append(c)
    except Forbidden:
        return {}
    return contacts


@dataclass
class CommunePage:
    unit: Unit
    kpis: list[KpiLine]
    reports: list[dict[str, Any]]
    violations: list[dict[str, Any]]
    show_alerts: bool = False  # operators and admins; a clerk on its own unit's page
    province_only: list[str] = field(default_factory=list)  # KPIs no form reports for this unit


async def commune_page(
    kpi: Kpi, intake: Intake, notifier: Notifier | None, session: Session, catalogue: Catalogue, unit: Unit
) -> CommunePage:
    """Raises Forbidden for a clerk of another unit before asking anything."""
    if not session.viewer.may_open_unit(unit.code, catalogue.province.code):
        raise Forbidden(403)
    alerts = notifier is not None and session.viewer.reads_alerts_of(unit.code)
    attainment, reports, violations = await asyncio.gather(
        kpi.attainment(session.token, unit=unit.code),
        intake.reports(session.token, unit=unit.code, limit=50),
        _violations(notifier, session, unit.code) if alerts else _nothing(),
    )
    lines = kpi_lines(catalogue, attainment, unit.code)
    shown = {line.code for line in lines}  # kpi_lines leaves out only the KPIs no form reports here
    elsewhere = [code for code, i in catalogue.indicators.items() if i.kpi and code not in shown]
    return CommunePage(unit, lines, reports["items"], violations, show_alerts=alerts, province_only=elsewhere)


async def _violations(notifier: Notifier | None, session: Session, unit_code: str) -> list[dict[str, Any]]:
    assert notifier is not None
    items: list[dict[str, Any]] = (await notifier.violations(session.token, unit=unit_code, limit=50))[
        "items"
    ]
    return items


async def _nothing() -> list[dict[str, Any]]:
    return []


@dataclass
class Ranking:
    indicator: str
    name: str
    kind: str | None
    sort: str
    descending: bool
    rows: list[Any]


async def ranking(
    kpi: Kpi, session: Session, catalogue: Catalogue, indicator: str, kind: str | None, sort: str, order: str
) -> Ranking:
    answer = await kpi.ranking(session.token, indicator, kind)
    descending = order == "desc"
    rows = sort_ranking(answer["rows"], sort, descending)
    return Ranking(indicator, catalogue.indicators[indicator].name_vi, kind, sort, descending, rows)
