"""Vietnamese message text from the Jinja2 templates kept as files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bdhvs_shared.catalogue import Catalogue, Period, PeriodType
from bdhvs_shared.events import AttainmentUpdated, TargetInfo
from notifier.domain.intents import Rendered

TEMPLATES = Path(__file__).parent / "templates"

STATUS_LABELS = {
    "achieved": "đã đạt mục tiêu",
    "missed": "không đạt mục tiêu",
    "on_track": "đúng tiến độ",
    "at_risk": "có nguy cơ không đạt mục tiêu",
    "off_track": "chậm tiến độ, không đạt mục tiêu nếu giữ tốc độ hiện tại",
    "insufficient_data": "chưa đủ số liệu",
}


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}".replace(".", ",") + " %"


def _number(value: int | float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")  # vi-VN: 12.345,67


def _target_text(target: TargetInfo | None) -> str:
    if target is None:
        return "—"
    return ("trên " if target.comparator == ">" else "") + _percent(target.value)


def period_label(period: Period) -> str:
    """2026-03 → "tháng 03/2026", 2026-Q1 → "quý 1/2026", 2026-W10 → "tuần 10/2026"."""
    if period.type is PeriodType.WEEKLY:
        return f"tuần {period.index:02d}/{period.year}"
    if period.type is PeriodType.MONTHLY:
        return f"tháng {period.index:02d}/{period.year}"
    if period.type is PeriodType.QUARTERLY:
        return f"quý {period.index}/{period.year}"
    if period.type is PeriodType.SIX_MONTHLY:
        return f"6 tháng {'đầu' if period.index == 1 else 'cuối'} năm {period.year}"
    return f"năm {period.year}"


@dataclass(frozen=True)
class DeadlineFacts:
    """What a deadline message says: the ledger row, and for a summary the missing units."""

    kind: str  # deadline_reminder, deadline_overdue, deadline_escalation, deadline_summary
    form: str
    period: str
    unit_code: str
    deadline: datetime
    now: datetime
    missing: tuple[str, ...] = ()
    expected: int = 0
    late: tuple[str, ...] = ()  # the consolidation reminder: reports that came after the cut-off
    consolidation: datetime | None = None  # the consolidation reminder: the day the province consolidates


class Messages:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue  # replaced when an admin publishes a new version
        self._env = _environment()

    def below_target(self, event: AttainmentUpdated, recipient_name: str) -> Rendered:
        unit = self.catalogue.unit(event.unit_code)
        indicator = self.catalogue.indicators.get(event.indicator)
        target = event.target
        context: dict[str, Any] = {
            "recipient_name": recipient_name,
            "unit_code": event.unit_code,
            "unit_name": unit.name if unit else event.unit_code,
            "indicator_label": "đ" if event.indicator == "dd" else event.indicator,
            "indicator_name": indicator.name_vi if indicator else event.indicator,
            "status_label": STATUS_LABELS.get(event.status, event.status),
            "as_of": event.as_of.strftime("%d/%m/%Y") if event.as_of else "—",
            "numerator_text": _number(event.numerator),
            "denominator_text": _number(event.denominator),
            "attainment_text": _percent(event.attainment),
            "target_text": _target_text(target),
            "target_due": target.due.strftime("%d/%m/%Y") if target else "—",
            "projected_text": _percent(event.projected_attainment),
            "pace_text": _number(event.pace_pp_per_30d, 2),
            "required_pace_text": _number(event.required_pace_pp_per_30d, 2),
        }
        return self._render("kpi_below_target", context)

    def deadline(self, facts: DeadlineFacts, recipient_name: str) -> Rendered:
        tz = ZoneInfo(self.catalogue.timezone)
        form = self.catalogue.forms.get(facts.form)
        unit = self.catalogue.unit(facts.unit_code)
        deadline = facts.deadline.astimezone(tz)
        last_day = (deadline - timedelta(days=1)).date()  # the cut-off is 00:00: the day before is the last
        today = facts.now.astimezone(tz).date()

        def name_of(code: str) -> str:
            found = self.catalogue.unit(code)
            return found.name if found else code

        context: dict[str, Any] = {
            "recipient_name": recipient_name,
            "unit_code": facts.unit_code,
            "unit_name": unit.name if unit else facts.unit_code,
            "form_name": form.name_vi if form else facts.form,
            "period_label": period_label(Period.parse(facts.period)),
            "last_day": last_day.strftime("%d/%m/%Y"),
            "days_left": max(0, (deadline.date() - today).days),
            "days_late": max(0, (today - last_day).days),
            "missing": [{"code": c, "name": name_of(c)} for c in facts.missing],
            "missing_count": len(facts.missing),
            "expected": facts.expected,
            "late": [{"code": c, "name": name_of(c)} for c in facts.late],
            "late_count": len(facts.late),
            "consolidation_date": (
                facts.consolidation.astimezone(tz).strftime("%d/%m/%Y") if facts.consolidation else ""
            ),
        }
        return self._render(facts.kind, context)

    def _render(self, name: str, context: dict[str, Any]) -> Rendered:
        render = self._env.get_template
        return Rendered(
            subject=render(f"{name}.subject.txt").render(context).strip(),
            text=render(f"{name}.txt").render(context),
            html=render(f"{name}.html").render(context),
            sms=render(f"{name}.sms.txt").render(context).strip(),
        )
