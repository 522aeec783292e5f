"""Vietnamese message text from the Jinja2 templates kept as files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bdhvs_shared.catalogue import Catalogue
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
        render = self._env.get_template
        return Rendered(
            subject=render("kpi_below_target.subject.txt").render(context).strip(),
            text=render("kpi_below_target.txt").render(context),
            html=render("kpi_below_target.html").render(context),
            sms=render("kpi_below_target.sms.txt").render(context).strip(),
        )
