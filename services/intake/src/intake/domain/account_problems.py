"""Every refusal of the accounts and sign-in API: a stable code, its HTTP status and a Vietnamese message.

Codes are a contract (the web service shows the messages, clients branch on the codes): add codes,
never rename them. The problem codes of reports stay in `problems.py`.
"""

from __future__ import annotations

from typing import Any

from intake.domain.problems import Problem

# code → (HTTP status, message template)
ACCOUNT_PROBLEMS: dict[str, tuple[int, str]] = {
    "auth.invalid_credentials": (
        401,
        "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng kiểm tra lại (mật khẩu phân biệt chữ hoa, "
        "chữ thường); sau {max_failures} lần sai liên tiếp tài khoản sẽ bị tạm khóa {lock_minutes} phút.",
    ),
    "auth.account_locked": (
        423,
        "Tài khoản tạm khóa do nhập sai mật khẩu {max_failures} lần liên tiếp. Vui lòng thử lại sau "
        "{until} hoặc nhờ quản trị viên đặt lại mật khẩu.",
    ),
    "auth.account_inactive": (
        403,
        "Tài khoản này đã ngừng hoạt động. Vui lòng liên hệ quản trị viên của Sở Khoa học và Công nghệ.",
    ),
    "auth.session_expired": (
        401,
        "Phiên đăng nhập đã hết hạn ({reason}). Vui lòng đăng nhập lại.",
    ),
    "auth.password_change_required": (
        403,
        "Vui lòng đổi mật khẩu được cấp ban đầu trước khi sử dụng hệ thống.",
    ),
    "auth.session_required": (
        403,
        "Thao tác này chỉ dành cho phiên đăng nhập của một người (không dùng mã truy cập API).",
    ),
    "auth.admin_required": (
        403,
        "Chỉ quản trị viên mới được quản lý tài khoản.",
    ),
    "password.wrong_current": (
        422,
        "Mật khẩu hiện tại không đúng.",
    ),
    "password.too_short": (
        422,
        "Mật khẩu mới phải có ít nhất {min_length} ký tự (hiện có {length}).",
    ),
    "password.too_long": (
        422,
        "Mật khẩu mới dài quá {max_length} ký tự.",
    ),
    "password.equals_username": (
        422,
        "Mật khẩu mới không được trùng với tên đăng nhập.",
    ),
    "password.unchanged": (
        422,
        "Mật khẩu mới phải khác mật khẩu hiện tại.",
    ),
    "account.unknown": (
        404,
        "Không có tài khoản “{username}”.",
    ),
    "account.username_taken": (
        409,
        "{where}Tên đăng nhập “{username}” đã có người dùng. Vui lòng chọn tên khác.",
    ),
    "account.username_duplicate": (
        422,
        "{where}Tên đăng nhập “{username}” đã có ở dòng {first_row} của tệp. Mỗi tài khoản chỉ một dòng.",
    ),
    "account.username_invalid": (
        422,
        "{where}Tên đăng nhập “{value}” không hợp lệ: cần 3–40 ký tự gồm chữ thường không dấu (a–z), "
        "chữ số, dấu chấm, gạch dưới hoặc gạch ngang, bắt đầu bằng chữ hoặc số (ví dụ: cb09313).",
    ),
    "account.display_name_missing": (
        422,
        "{where}Thiếu họ tên (hoặc tên hiển thị) của người dùng.",
    ),
    "account.display_name_too_long": (
        422,
        "{where}Họ tên dài quá {max_length} ký tự.",
    ),
    "account.control_character": (
        422,
        "{where}Trường “{field_label}” chứa ký tự điều khiển (ví dụ NUL, xuống dòng), không hợp lệ.",
    ),
    "account.role_invalid": (
        422,
        "{where}Vai trò “{value}” không hợp lệ. Chọn một trong: commune (cán bộ xã, phường), agency "
        "(cơ quan cấp tỉnh), operator (cán bộ Sở), admin (quản trị viên).",
    ),
    "account.unit_missing": (
        422,
        "{where}Tài khoản cán bộ xã, phường (commune) phải có mã đơn vị (unit_code, 5 chữ số).",
    ),
    "account.unit_unknown": (
        422,
        "{where}Mã đơn vị “{value}” không phải một xã, phường đang hoạt động trong danh mục của tỉnh.",
    ),
    "account.unit_not_allowed": (
        422,
        "{where}Chỉ tài khoản cán bộ xã, phường (commune) mới ghi mã đơn vị; vai trò {role} để trống.",
    ),
    "account.agency_missing": (
        422,
        "{where}Tài khoản cơ quan cấp tỉnh (agency) phải có mã cơ quan (agency_code), ví dụ: {example}.",
    ),
    "account.agency_unknown": (
        422,
        "{where}Mã cơ quan “{value}” không có trong danh mục. Các mã hợp lệ: {allowed}.",
    ),
    "account.agency_not_allowed": (
        422,
        "{where}Chỉ tài khoản cơ quan cấp tỉnh (agency) mới ghi mã cơ quan; vai trò {role} để trống.",
    ),
    "account.email_invalid": (
        422,
        "{where}Địa chỉ thư điện tử “{value}” không hợp lệ (ví dụ đúng: canbo@example.gov.vn).",
    ),
    "account.phone_invalid": (
        422,
        "{where}Số điện thoại “{value}” không hợp lệ: cần 10 hoặc 11 chữ số bắt đầu bằng 0 "
        "(hoặc +84), ví dụ 0912345678.",
    ),
    "account.cannot_deactivate_self": (
        422,
        "Không thể tự ngừng hoạt động tài khoản của chính mình.",
    ),
    "accounts_file.unsupported_type": (
        415,
        "Tệp tài khoản phải là CSV (Content-Type: text/csv).",
    ),
    "accounts_file.not_utf8": (
        422,
        "Tệp không phải CSV mã hóa UTF-8. Trong Excel, chọn Lưu thành (Save As) → “CSV UTF-8 "
        "(Comma delimited)”.",
    ),
    "accounts_file.not_csv": (
        422,
        "Không đọc được tệp CSV: {detail}.",
    ),
    "accounts_file.empty": (
        422,
        "Tệp không có dòng tài khoản nào (dòng đầu là tên cột, mỗi dòng sau là một tài khoản).",
    ),
    "accounts_file.column_missing": (
        422,
        "Dòng tiêu đề thiếu cột “{column}”. Các cột cần có: {columns}.",
    ),
    "accounts_file.column_unknown": (
        422,
        "Cột “{column}” không được hỗ trợ. Các cột của tệp tài khoản: {columns}.",
    ),
    "accounts_file.column_repeated": (
        422,
        "Cột “{column}” xuất hiện hai lần ở dòng tiêu đề.",
    ),
    "accounts_file.too_many_rows": (
        422,
        "Tệp có hơn {limit} dòng tài khoản. Vui lòng chia thành nhiều tệp.",
    ),
}


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "…"


def account_problem(code: str, field: str, **values: object) -> Problem:
    """A Problem of a registered code; `where` (a file's row and column) defaults to nothing."""
    _, template = ACCOUNT_PROBLEMS[code]
    return Problem(code, field, template.format_map(_Lenient({"where": "", **values})))


def status_of(code: str) -> int:
    return ACCOUNT_PROBLEMS[code][0]


class AccountRefused(Exception):
    """A refusal with its problems; the status is the first problem's (one handler: errors.py's)."""

    def __init__(self, *problems: Problem, headers: dict[str, str] | None = None) -> None:
        super().__init__(problems[0].code)
        self.problems, self.headers = list(problems), headers or {}

    @property
    def status(self) -> int:
        return status_of(self.problems[0].code)


def refused(code: str, field: str = "", **values: object) -> AccountRefused:
    return AccountRefused(account_problem(code, field, **values))
