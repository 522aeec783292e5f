"""How a message names things: numbers, indicators, units, fields, user input, in Vietnamese.

The problem codes and their message templates are in `problems.py`; these fill the templates.
"""

from __future__ import annotations

from collections.abc import Mapping

from bdhvs_shared.catalogue import Unit

PERIOD_TYPE_NAMES: Mapping[str, tuple[str, str]] = {  # period type → (Vietnamese name, example)
    "weekly": ("tuần", "2026-W10"),
    "monthly": ("tháng", "2026-03"),
    "quarterly": ("quý", "2026-Q1"),
    "six_monthly": ("6 tháng", "2026-H1"),
    "annual": ("năm", "2026"),
}
BASIS_NAMES: Mapping[str, str] = {
    "age_14_plus": "dân số × tỷ lệ người từ 14 tuổi trở lên",
    "age_16_plus": "dân số × tỷ lệ người từ 16 tuổi trở lên",
    "age_18_plus": "dân số × tỷ lệ người từ 18 tuổi trở lên",
}
UNIT_KIND_NAMES: Mapping[str, str] = {"xa": "Xã", "phuong": "Phường", "province": "Tỉnh"}
_INDICATOR_LETTERS = {"dd": "đ"}  # subject tokens are ASCII; people write đ
PART_NAMES = {
    "vneid": "chữ ký số trên VNeID",
    "mysign": "chữ ký số Viettel MySign",
    "smartca": "chữ ký số VNPT SmartCA",
}
_FIELD_NAMES = {
    "unit_code": "Mã đơn vị",
    "form": "Biểu mẫu",
    "period": "Kỳ báo cáo",
    "values": "Phần số liệu các chỉ tiêu",
    "confirm": "Xác nhận lưu báo cáo dù có lưu ý (confirm)",
    "query.confirm": "Xác nhận lưu báo cáo dù có lưu ý (tham số confirm)",
    "query.dry_run": "Chế độ chỉ kiểm tra (tham số dry_run)",
}
_SHOWN_MAX = 40


def shown(value: object) -> str:
    """User input as it may appear in a message: printable, at most 40 characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value))
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def number(value: int) -> str:
    """A whole number as Vietnamese write it: 16788 → "16.788"."""
    return f"{value:,}".replace(",", ".")


def indicator_label(code: str) -> str:
    """How people write an indicator code: "dd" is "đ"."""
    return _INDICATOR_LETTERS.get(code, shown(code))


def describe_field(field: str) -> str:
    """A field path in words, capitalised to start a sentence."""
    if not field:
        return "Nội dung báo cáo"
    if field in _FIELD_NAMES:
        return _FIELD_NAMES[field]
    parts = field.split(".")
    if parts[0] == "values" and len(parts) == 4 and parts[2] == "parts":
        return f"Số {PART_NAMES.get(parts[3], shown(parts[3]))} của chỉ tiêu {indicator_label(parts[1])}"
    if parts[0] == "values" and len(parts) in (2, 3):
        label = indicator_label(parts[1])
        if len(parts) == 2:
            return f"Số liệu chỉ tiêu {label}"
        if parts[2] == "numerator":
            return f"Số đạt (tử số) của chỉ tiêu {label}"
        if parts[2] == "denominator":
            return f"Tổng số (mẫu số) của chỉ tiêu {label}"
        if parts[2] == "parts":
            return f"Số liệu chi tiết của chỉ tiêu {label}"
    return f"Trường “{shown(field)}”"


def unit_label(unit: Unit) -> str:
    """E.g. "Xã Chi Lăng (09313)"."""
    return f"{UNIT_KIND_NAMES.get(unit.kind.value, '')} {unit.name} ({unit.code})".strip()
