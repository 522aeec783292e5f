"""Every rejection and warning: a stable code, the field, and a message a commune clerk can act on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str
    severity: Severity = Severity.ERROR


# code → Vietnamese message template; {placeholders} come from the caller.
MESSAGES: dict[str, str] = {
    "unit.unknown": "Mã đơn vị '{value}' không có trong danh mục xã, phường. Vui lòng kiểm tra lại mã đơn vị (5 chữ số).",
    "form.unknown": "Biểu mẫu '{value}' không tồn tại. Các biểu mẫu hợp lệ: {allowed}.",
    "form.not_for_unit": "Đơn vị '{unit}' không thuộc đối tượng báo cáo theo biểu mẫu '{form}'.",
    "period.malformed": "Kỳ báo cáo '{value}' không đúng định dạng. Ví dụ hợp lệ: 2026-03 (tháng), 2026-Q1 (quý), 2026-H1 (6 tháng), 2026 (năm), 2026-W10 (tuần).",
    "period.wrong_type": "Biểu mẫu '{form}' báo cáo theo kỳ {expected}; kỳ '{value}' không phù hợp.",
    "indicator.unknown": "Chỉ tiêu '{value}' không thuộc biểu mẫu '{form}'. Các chỉ tiêu của biểu mẫu: {allowed}.",
    "indicator.missing": "Thiếu số liệu chỉ tiêu '{value}' (bắt buộc trong biểu mẫu '{form}').",
    "value.not_integer": "Giá trị phải là số nguyên (không có phần thập phân, không phải chữ).",
    "value.negative": "Giá trị không được âm. Vui lòng nhập số nguyên lớn hơn hoặc bằng 0.",
    "value.numerator_above_denominator": "Số đạt ({numerator}) lớn hơn tổng số ({denominator}). Vui lòng kiểm tra lại số liệu.",
    "value.denominator_zero": "Tổng số (mẫu số) bằng 0 nên không tính được tỷ lệ. Vui lòng nhập tổng số lớn hơn 0.",
    "value.denominator_missing": "Thiếu tổng số (mẫu số) và hệ thống chưa có số liệu dân số tham chiếu cho đơn vị này. Vui lòng nhập tổng số.",
    "field.missing": "Thiếu trường bắt buộc '{value}'.",
    "field.invalid": "Giá trị của trường '{value}' không hợp lệ.",
    "body.invalid_json": "Dữ liệu gửi lên không phải JSON hợp lệ. Vui lòng kiểm tra dấu ngoặc, dấu phẩy và dấu nháy.",
    "body.too_large": "Dữ liệu gửi lên quá lớn.",
}


def problem(code: str, field: str, severity: Severity = Severity.ERROR, **values: object) -> Problem:
    return Problem(code, field, MESSAGES[code].format(**values), severity)
