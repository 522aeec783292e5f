"""Numbers, percentages, dates and durations as people in Viet Nam write them (babel, vi_VN)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

LOCALE = "vi_VN"


def number(value: float | int | None) -> str:
    return "—" if value is None else format_decimal(value, locale=LOCALE)


def percent(fraction: float | None, digits: int = 1) -> str:
    """0.8234 → "82,3 %"."""
    if fraction is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + " %"
    return format_percent(fraction, format=pattern, locale=LOCALE)


def points(pp: float | None) -> str:
    """Percentage points, signed: +1,2 đpt."""
    if pp is None:
        return "—"
    return ("+" if pp > 0 else "") + format_decimal(round(pp, 1), format="#,##0.0", locale=LOCALE) + " đpt"


def day(value: date | None) -> str:
    return "—" if value is None else format_date(value, format="dd/MM/yyyy", locale=LOCALE)


def moment(value: datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return "—"
    return format_datetime(value.astimezone(tz), format="HH:mm dd/MM/yyyy", tzinfo=tz, locale=LOCALE)


def duration(delta: timedelta) -> str:
    """A countdown or an age in words: "2 ngày 3 giờ", "45 phút"."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"
    if hours:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    return f"{minutes} phút"


def parse_instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def parse_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
