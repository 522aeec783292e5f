"""How the consolidated report writes things in Vietnamese (pure): statuses, states, groups, unit
kinds, percentages and percentage points."""

from __future__ import annotations

STATUS_VI = {
    "achieved": "Đã đạt",
    "missed": "Không đạt",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ không đạt",
    "off_track": "Chậm tiến độ",
    "insufficient_data": "Chưa đủ số liệu",
}
STATE_VI = {"on_time": "Đúng hạn", "late": "Trễ hạn", "missing": "Chưa báo cáo"}
GROUP_VI = {"province": "Toàn tỉnh", "xa": "Xã", "phuong": "Phường"}
KIND_VI = {"province": "Tỉnh", "xa": "Xã", "phuong": "Phường"}


def percent(value: float | None) -> str:
    """85,25 % — Vietnamese decimal comma; an em dash for no value."""
    return "—" if value is None else f"{value * 100:.2f}".replace(".", ",") + " %"


def points(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}".replace(".", ",") + " điểm %"
