"""Vietnamese message text from the Jinja2 templates kept as files."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bdhvs_shared.catalogue import Catalogue, Period, PeriodType
from bdhvs_shared.catalogue.titles import province_title
from bdhvs_shared.events import TargetInfo
from notifier.domain.alerts import BELOW_TARGET, RECOVERED, REPEAT
from notifier.domain.intents import AlertLine, DeadlineFacts, Rendered

TEMPLATES = Path(__file__).parent / "templates"

STATUS_LABELS = {
    "achieved": "đã đạt mục tiêu",
    "missed": "không đạt mục tiêu",
    "on_track": "đúng tiến độ",
    "at_risk": "có nguy cơ không đạt mục tiêu",
    "off_track": "chậm tiến độ, không đạt mục tiêu nếu giữ tốc độ hiện tại",
    "insufficient_data": "chưa đủ số liệu",
}

# SMS: a few words, each part costs.
STATUS_SHORT = {
    "achieved": "đạt mục tiêu",
    "on_track": "đúng tiến độ",
    "at_risk": "có nguy cơ không đạt",
    "off_track": "chậm tiến độ",
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


def _day(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else "—"


class Messages:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue  # replaced when an admin publishes a new version
        self._env = _environment()

    def alert_group(self, lines: list[AlertLine], recipient_name: str) -> Rendered:
        """One message for a recipient: new alerts, repeats and recoveries, each unit and indicator."""
        tz = ZoneInfo(self.catalogue.timezone)
        rows = [self._alert_row(line, tz) for line in lines]
        context: dict[str, Any] = {
            "recipient_name": recipient_name,
            "alerts": [r for r in rows if r["kind"] == BELOW_TARGET],
            "repeats": [r for r in rows if r["kind"] == REPEAT],
            "recovered": [r for r in rows if r["kind"] == RECOVERED],
            "count": len(rows),
            "only": rows[0] if len(rows) == 1 else None,
        }
        return self._render("kpi_alerts", context)

    def _alert_row(self, line: AlertLine, tz: ZoneInfo) -> dict[str, Any]:
        s = line.snapshot  # an AttainmentUpdated as JSON; {} for a violation carried over on upgrade
        code, indicator_code = str(s.get("unit_code", "")), str(s.get("indicator", ""))
        unit = self.catalogue.unit(code)
        indicator = self.catalogue.indicators.get(indicator_code)
        target = s.get("target") or None
        return {
            "kind": line.kind,
            "unit_code": code,
            "unit_name": unit.name if unit else code,
            "indicator_label": indicator.label if indicator else indicator_code,
            "indicator_name": indicator.name_vi if indicator else indicator_code,
            "status_label": STATUS_LABELS.get(line.status, line.status),
            "status_short": STATUS_SHORT.get(line.status, line.status),
            "as_of": _day(s.get("as_of")),
            "numerator_text": _number(s.get("numerator")),
            "denominator_text": _number(s.get("denominator")),
            "attainment_text": _percent(s.get("attainment")),
            "target_text": _target_text(TargetInfo.model_validate(target) if target else None),
            "target_due": _day(target["due"]) if target else "—",
            "projected_text": _percent(s.get("projected_attainment")),
            "pace_text": _number(s.get("pace_pp_per_30d"), 2),
            "required_pace_text": _number(s.get("required_pace_pp_per_30d"), 2),
            "since": line.opened_at.astimezone(tz).strftime("%d/%m/%Y"),
            "ack_url": line.ack_url,
        }

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
            # working days (the calendar's): today and the last day count; late: from the day after it
            "days_left": self.catalogue.workdays.count(today, last_day),
            "days_late": self.catalogue.workdays.count(last_day + timedelta(days=1), today),
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
        # The province's name from the catalogue (province.yaml), never from the templates.
        province = self.catalogue.province
        context = {**context, "province_name": province.name, "province_title": province_title(province.name)}
        render = self._env.get_template
        return Rendered(
            subject=render(f"{name}.subject.txt").render(context).strip(),
            text=render(f"{name}.txt").render(context),
            html=render(f"{name}.html").render(context),
            sms=render(f"{name}.sms.txt").render(context).strip(),
        )
