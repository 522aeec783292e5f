"""Every rejection and warning: a stable code, the field, and a message a commune clerk can act on.

This module is the one place that defines each problem code, its severity and its Vietnamese
message template. Codes are a contract (API clients and metrics use them): add codes, never
rename them. Messages say what is wrong and what to do, politely, with full diacritics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from intake.domain.labels import number


class Severity(StrEnum):
    ERROR = "error"  # the report is refused
    WARNING = "warning"  # the report is accepted; the clerk should check


@dataclass(frozen=True)
class Problem:
    code: str
    field: str  # a path into the submitted body, e.g. "values.c.numerator"; "" for the whole body
    message: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class ProblemType:
    code: str
    severity: Severity
    template: str  # str.format template; placeholders listed in `params`
    params: tuple[str, ...] = ()


_E, _W = Severity.ERROR, Severity.WARNING

_TYPES = (
    ProblemType(
        "unit.unknown",
        _E,
        "Mã đơn vị “{value}” không có trong danh mục xã, phường của tỉnh. Vui lòng kiểm tra lại mã đơn vị (gồm 5 chữ số, ví dụ 09313); nếu mã đúng mà vẫn báo lỗi, xin liên hệ Sở Khoa học và Công nghệ.",
        ("value",),
    ),
    ProblemType(
        "unit.inactive",
        _E,
        "{unit} chỉ hoạt động {active}, nên không báo cáo cho kỳ {period} (số liệu tính đến ngày {as_of}). Vui lòng kiểm tra lại kỳ báo cáo; số liệu trước khi sáp nhập do đơn vị cũ báo cáo.",
        ("unit", "period", "as_of", "active"),
    ),
    ProblemType(
        "form.unknown",
        _E,
        "Biểu mẫu “{value}” không có trong hệ thống. Vui lòng chọn một trong các biểu mẫu sau: {allowed}.",
        ("value", "allowed"),
    ),
    ProblemType(
        "form.not_for_unit",
        _E,
        "{unit} không thuộc đối tượng nộp biểu mẫu “{form_name}” (mã {form}). Vui lòng kiểm tra lại mã đơn vị và biểu mẫu đã chọn.",
        ("unit", "form", "form_name"),
    ),
    ProblemType(
        "period.malformed",
        _E,
        "Kỳ báo cáo “{value}” không đúng định dạng hoặc không tồn tại. Vui lòng nhập theo mẫu: 2026-03 (tháng), 2026-Q1 (quý), 2026-H1 (6 tháng), 2026 (năm) hoặc 2026-W10 (tuần).",
        ("value",),
    ),
    ProblemType(
        "period.wrong_type",
        _E,
        "Biểu mẫu “{form}” được báo cáo theo {expected}, nên kỳ “{value}” không phù hợp. Vui lòng nhập kỳ báo cáo theo {expected}, ví dụ {example}.",
        ("form", "expected", "value", "example"),
    ),
    ProblemType(
        "period.in_future",
        _E,
        "Kỳ báo cáo {period} chưa đến lúc báo cáo: số liệu của kỳ này tính đến ngày {as_of}, nên chỉ gửi được từ ngày {earliest} (hôm nay là ngày {today}). Vui lòng kiểm tra lại kỳ báo cáo (có thể nhập nhầm năm hoặc tháng).",
        ("period", "as_of", "earliest", "today"),
    ),
    ProblemType(
        "indicator.unknown",
        _E,
        "Chỉ tiêu “{value}” không thuộc biểu mẫu “{form}”. Vui lòng bỏ chỉ tiêu này; biểu mẫu gồm các chỉ tiêu: {allowed}.",
        ("value", "form", "allowed"),
    ),
    ProblemType(
        "indicator.missing",
        _E,
        "Chưa có số liệu chỉ tiêu {indicator} ({name}), là chỉ tiêu bắt buộc của biểu mẫu “{form}”. Vui lòng nhập số liệu chỉ tiêu này rồi gửi lại.",
        ("indicator", "name", "form"),
    ),
    ProblemType(
        "value.not_integer",
        _E,
        "{subject} phải là số nguyên. Vui lòng nhập số nguyên, không có phần thập phân, dấu cách hay chữ (ví dụ: 15000).",
        ("subject",),
    ),
    ProblemType(
        "value.negative",
        _E,
        "{subject} không được là số âm. Vui lòng nhập số nguyên từ 0 trở lên.",
        ("subject",),
    ),
    ProblemType(
        "value.too_large",
        _E,
        "{subject} vượt quá mức tối đa hệ thống nhận ({limit}). Vui lòng kiểm tra lại số liệu (có thể thừa chữ số).",
        ("subject", "limit"),
    ),
    ProblemType(
        "value.above_population",
        _E,
        "{subject} là {amount}, lớn hơn {margin} lần dân số của {unit} ({population} người), nên chắc chắn có nhầm lẫn. Vui lòng kiểm tra lại số liệu (có thể thừa chữ số 0).",
        ("subject", "amount", "margin", "unit", "population"),
    ),
    ProblemType(
        "value.numerator_above_denominator",
        _E,
        "Số đạt ({numerator}) của chỉ tiêu {indicator} lớn hơn tổng số ({denominator}){note}. Vui lòng kiểm tra lại số liệu: số đạt không được vượt quá tổng số.",
        ("numerator", "indicator", "denominator", "note"),
    ),
    ProblemType(
        "value.denominator_zero",
        _E,
        "Tổng số (mẫu số) của chỉ tiêu {indicator} bằng 0 nên không tính được tỷ lệ. Vui lòng nhập tổng số thực tế của đơn vị (lớn hơn 0).",
        ("indicator",),
    ),
    ProblemType(
        "value.denominator_missing",
        _E,
        "Chưa nhập tổng số (mẫu số) của chỉ tiêu {indicator}, và hệ thống chưa có số dân của {unit} để ước tính. Vui lòng nhập tổng số rồi gửi lại.",
        ("indicator", "unit"),
    ),
    ProblemType(
        "value.denominator_estimated",
        _W,
        "Chưa nhập tổng số (mẫu số) của chỉ tiêu {indicator}; hệ thống tạm dùng số ước tính {denominator} ({basis}). Đây là lưu ý, không phải lỗi; nếu có số liệu thực tế, vui lòng nhập tổng số.",
        ("indicator", "denominator", "basis"),
    ),
    ProblemType(
        "value.denominator_far_from_reference",
        _W,
        "Tổng số (mẫu số) của chỉ tiêu {indicator} là {denominator}, chênh lệch nhiều so với số ước tính theo dân số ({reference}). Đây là lưu ý, không phải lỗi; vui lòng kiểm tra lại (ví dụ thừa hoặc thiếu một chữ số) và sửa nếu cần.",
        ("indicator", "denominator", "reference"),
    ),
    ProblemType(
        "period.not_for_form",
        _E,
        "Biểu mẫu “{form}” là báo cáo một lần, chỉ nộp cho kỳ {allowed}, nên kỳ “{value}” không phù hợp. Vui lòng chọn đúng kỳ báo cáo.",
        ("form", "allowed", "value"),
    ),
    ProblemType(
        "value.yes_no_invalid",
        _E,
        "Chỉ tiêu {indicator} chỉ nhận “Có” hoặc “Không”: số đạt là 1 (có) hoặc 0 (không) và tổng số là 1 hoặc để trống. Vui lòng sửa lại.",
        ("indicator",),
    ),
    ProblemType(
        "value.count_has_denominator",
        _E,
        "Chỉ tiêu {indicator} là số lượng (ví dụ số tin, bài), không có tổng số. Vui lòng để trống tổng số (mẫu số) và chỉ nhập số lượng.",
        ("indicator",),
    ),
    ProblemType(
        "value.parts_missing",
        _E,
        "Chỉ tiêu {indicator} cần nhập số liệu chi tiết theo từng loại ({parts}). Vui lòng bổ sung: {missing}.",
        ("indicator", "parts", "missing"),
    ),
    ProblemType(
        "value.part_unknown",
        _E,
        "“{value}” không phải là loại chi tiết của chỉ tiêu {indicator}. Vui lòng chỉ nhập các loại: {parts}.",
        ("value", "indicator", "parts"),
    ),
    ProblemType(
        "value.part_above_denominator",
        _E,
        "Số {part} ({amount}) của chỉ tiêu {indicator} lớn hơn tổng số ({denominator}). Số của mỗi loại không được vượt quá tổng số; vui lòng kiểm tra lại.",
        ("part", "amount", "indicator", "denominator"),
    ),
    ProblemType(
        "value.parts_inconsistent",
        _E,
        "Số đạt ({numerator}) của chỉ tiêu {indicator} phải từ {low} (loại nhiều nhất) đến {high} (tổng các loại), vì một người có thể dùng nhiều loại. Vui lòng kiểm tra lại số liệu.",
        ("numerator", "indicator", "low", "high"),
    ),
    ProblemType(
        "file.too_large",
        _E,
        "Tệp quá lớn (tối đa {limit}). Vui lòng chỉ gửi tệp theo mẫu tải về từ hệ thống, không kèm hình ảnh hay trang tính khác.",
        ("limit",),
    ),
    ProblemType(
        "file.too_complex",
        _E,
        "Tệp cần quá nhiều bộ nhớ hoặc thời gian để đọc (tối đa {memory} MB, {seconds} giây), thường vì trang tính có rất nhiều ô trống được định dạng hoặc dữ liệu nằm ngoài vùng của mẫu. Vui lòng chép số liệu sang mẫu mới tải về từ hệ thống rồi gửi lại.",
        ("memory", "seconds"),
    ),
    ProblemType(
        "file.unsupported_type",
        _E,
        "Hệ thống chỉ nhận tệp Excel (.xlsx) hoặc CSV (UTF-8). Vui lòng gửi tệp theo mẫu tải về từ hệ thống.",
    ),
    ProblemType(
        "file.not_xlsx",
        _E,
        "Không đọc được tệp Excel này (tệp hỏng hoặc không phải định dạng .xlsx). Vui lòng mở tệp bằng Excel, chọn “Lưu thành” (Save As) kiểu “Excel Workbook (*.xlsx)” rồi gửi lại.",
    ),
    ProblemType(
        "file.not_utf8",
        _E,
        "Tệp CSV không được lưu theo bảng mã UTF-8 nên tiếng Việt có dấu sẽ bị lỗi. Vui lòng mở tệp bằng Excel, chọn “Lưu thành” (Save As) kiểu “CSV UTF-8 (Comma delimited) (*.csv)” rồi gửi lại.",
    ),
    ProblemType(
        "file.not_csv",
        _E,
        "Không đọc được tệp CSV này. Vui lòng lưu lại theo kiểu “CSV UTF-8 (Comma delimited) (*.csv)” từ mẫu tải về rồi gửi lại.",
    ),
    ProblemType(
        "file.no_header",
        _E,
        "Trang “{sheet}” không có dòng mã cột (dòng bắt đầu bằng “unit_code”) của mẫu báo cáo. Vui lòng dùng mẫu tải về từ hệ thống và không xóa dòng mã cột.",
        ("sheet",),
    ),
    ProblemType(
        "file.column_missing",
        _E,
        "Tệp thiếu cột “{column}” ({label}) của biểu mẫu “{form}”. Vui lòng tải lại mẫu mới nhất của biểu mẫu này và nhập lại số liệu.",
        ("column", "label", "form"),
    ),
    ProblemType(
        "file.column_unknown",
        _E,
        "Cột “{column}” không thuộc biểu mẫu “{form}”. Vui lòng xóa cột này hoặc dùng mẫu tải về từ hệ thống.",
        ("column", "form"),
    ),
    ProblemType(
        "file.no_rows",
        _E,
        "Tệp không có dòng số liệu nào. Vui lòng nhập số liệu vào mẫu (mỗi đơn vị một dòng) rồi gửi lại.",
    ),
    ProblemType(
        "file.too_many_rows",
        _E,
        "Tệp có {count} dòng số liệu, nhiều hơn mức cho phép ({limit}). Vui lòng chia thành nhiều tệp.",
        ("count", "limit"),
    ),
    ProblemType(
        "file.too_many_lines",
        _E,
        "Tệp có hơn {limit} dòng (kể cả dòng trống), nhiều hơn một trang tính Excel có thể chứa. Vui lòng dùng mẫu tải về từ hệ thống, mỗi đơn vị một dòng.",
        ("limit",),
    ),
    ProblemType(
        "file.duplicate_unit",
        _E,
        "Đơn vị {unit} xuất hiện nhiều lần trong tệp (dòng {rows}). Vui lòng chỉ giữ một dòng cho mỗi đơn vị.",
        ("unit", "rows"),
    ),
    ProblemType(
        "file.form_mismatch",
        _E,
        "{subject} trong tệp là “{in_file}” nhưng yêu cầu gửi lên ghi “{requested}”. Vui lòng kiểm tra lại biểu mẫu và kỳ báo cáo.",
        ("subject", "in_file", "requested"),
    ),
    ProblemType(
        "auth.forbidden_unit",
        _E,
        "Mã truy cập này không được nộp báo cáo “{form}” cho {unit}. Vui lòng chỉ nhập số liệu của đơn vị mình.",
        ("form", "unit"),
    ),
    ProblemType(
        "value.cumulative_drop",
        _W,
        "Số đạt của chỉ tiêu {indicator} ({numerator}) thấp hơn kỳ trước ({previous}, kỳ {period}), trong khi đây là số cộng dồn nên thường không giảm. Vui lòng kiểm tra lại; nếu số liệu đúng (ví dụ đính chính kỳ trước), hãy xác nhận rồi gửi lại.",
        ("indicator", "numerator", "previous", "period"),
    ),
    ProblemType(
        "value.outlier",
        _W,
        "Tỷ lệ của chỉ tiêu {indicator} là {now}%, chênh hơn {limit} điểm phần trăm so với kỳ trước ({then}%, kỳ {period}). Vui lòng kiểm tra lại số liệu; nếu đúng, hãy xác nhận rồi gửi lại.",
        ("indicator", "now", "limit", "then", "period"),
    ),
    ProblemType(
        "report.confirmation_required",
        _E,
        "Báo cáo chưa được lưu vì có {count} lưu ý cần xác nhận (xem phần lưu ý). Vui lòng kiểm tra số liệu; nếu đúng, hãy gửi lại với xác nhận (confirm = true).",
        ("count",),
    ),
    ProblemType(
        "field.missing",
        _E,
        "{subject} là thông tin bắt buộc nhưng đang bị thiếu. Vui lòng bổ sung rồi gửi lại.",
        ("subject",),
    ),
    ProblemType(
        "field.invalid",
        _E,
        "{subject} không hợp lệ: {reason}. Vui lòng sửa lại rồi gửi lại.",
        ("subject", "reason"),
    ),
    ProblemType(
        "field.not_boolean",
        _E,
        "{subject} chỉ nhận giá trị true (có) hoặc false (không), viết không có dấu nháy; không dùng 0, 1, “yes” hay “no”. Vui lòng sửa lại rồi gửi lại.",
        ("subject",),
    ),
    ProblemType(
        "body.invalid_json",
        _E,
        "Dữ liệu gửi lên không đúng định dạng JSON. Vui lòng kiểm tra lại dấu ngoặc, dấu phẩy và dấu nháy kép, hoặc nhập báo cáo trên biểu mẫu của trang web.",
    ),
    ProblemType(
        "body.too_large",
        _E,
        "Dữ liệu gửi lên vượt quá dung lượng cho phép (tối đa {limit}). Vui lòng chỉ gửi số liệu của một báo cáo mỗi lần, không kèm tệp hay nội dung khác.",
        ("limit",),
    ),
    ProblemType(
        "errors.truncated",
        _E,
        "Còn {count} lỗi khác chưa được liệt kê (chỉ liệt kê {limit} lỗi đầu tiên). Vui lòng sửa các lỗi trên rồi gửi lại để xem các lỗi còn lại.",
        ("count", "limit"),
    ),
    ProblemType(
        "warnings.truncated",
        _W,
        "Còn {count} lưu ý khác chưa được liệt kê (chỉ liệt kê {limit} lưu ý đầu tiên). Vui lòng kiểm tra kỹ toàn bộ số liệu trước khi xác nhận.",
        ("count", "limit"),
    ),
)

PROBLEM_TYPES: Mapping[str, ProblemType] = {t.code: t for t in _TYPES}
MESSAGES: Mapping[str, str] = {t.code: t.template for t in _TYPES}  # code → Vietnamese template

# Reasons for field.invalid, by pydantic error type.
INVALID_REASONS: Mapping[str, str] = {
    "string_type": 'cần là một chuỗi ký tự đặt trong dấu nháy kép (ví dụ: "09313")',
    "string_too_long": "nội dung dài hơn mức cho phép (tối đa {limit} ký tự)",
    "string_pattern_mismatch": "chỉ được gồm chữ cái không dấu, chữ số, dấu gạch dưới hoặc gạch ngang (ví dụ: 2026-03)",
    "string_too_short": "nội dung ngắn hơn mức cho phép (tối thiểu {limit} ký tự)",
    "dict_type": "cần là một nhóm các trường có tên (đối tượng JSON)",
    "model_type": "cần là một nhóm các trường có tên (đối tượng JSON)",
    "model_attributes_type": "cần là một nhóm các trường có tên (đối tượng JSON)",
    "list_type": "cần là một danh sách",
    "extra_forbidden": "biểu mẫu không có trường này nên cần xóa trường này khỏi dữ liệu gửi lên",
    "greater_than_equal": "giá trị phải lớn hơn hoặc bằng {limit}",
    "less_than_equal": "giá trị phải nhỏ hơn hoặc bằng {limit}",
}
# {limit} comes from the error's context (ge, max_length, min_length); without it, the default reason.
DEFAULT_INVALID_REASON = "giá trị hoặc kiểu dữ liệu không đúng yêu cầu"
ESTIMATE_NOTE = (
    " — tổng số này là số ước tính theo dân số vì báo cáo chưa nhập tổng số, nên cần nhập tổng số thực tế"
)

# An answer lists at most this many errors (and warnings); a last entry says how many more there were.
# A province-wide sheet (99 rows) with one error a row is still listed whole.
MAX_LISTED = 100


def truncation(severity: Severity, total: int) -> Problem | None:
    """The last entry of a list of `total` problems cut at MAX_LISTED: how many were left out."""
    if total <= MAX_LISTED:
        return None
    code = "errors.truncated" if severity is Severity.ERROR else "warnings.truncated"
    return problem(code, "", count=number(total - MAX_LISTED), limit=MAX_LISTED)


def listed(problems: Sequence[Problem], severity: Severity) -> list[Problem]:
    """The problems of `severity`: at most MAX_LISTED, then the truncation entry if any were left out."""
    chosen = [p for p in problems if p.severity is severity]
    more = truncation(severity, len(chosen))
    return chosen if more is None else [*chosen[:MAX_LISTED], more]


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "…"


def problem(code: str, field: str, **values: object) -> Problem:
    """A Problem of a registered code; a missing placeholder shows as "…" rather than raising."""
    kind = PROBLEM_TYPES[code]
    return Problem(code, field, kind.template.format_map(_Lenient(values)), kind.severity)
