"""The web service's routes as the web fuzz sends them (issue 16, item 5: "web forms once they exist").

The web has no OpenAPI document (its forms are read with `request.form()`), so each route's form
fields, query parameters and path parameters are listed here; `tests/unit/web/test_web_fuzz_routes.py`
fails for a route of the app missing from `ROUTES`. Hypothesis draws each value from the field's
plausible values, any text, non-UTF-8 bytes or a huge value, and the CSRF token valid, missing, forged
or another session's. The answers the web documents (docs/web.md, "Answers") are `STATUSES`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

from hypothesis import strategies as st


def documented_statuses(doc: Path = Path(__file__).parents[2] / "docs" / "web.md") -> frozenset[int]:
    """The statuses docs/web.md lists under "Answers" (each as **NNN**): the fuzz checks against the
    document itself, so a status is declared by documenting it."""
    section = doc.read_text(encoding="utf-8").split("\n## Answers\n", 1)[1].split("\n## ", 1)[0]
    return frozenset(int(s) for s in re.findall(r"\*\*(\d{3})\*\*", section))


STATUSES = documented_statuses()

HUGE = 3_100_000  # above the web's largest form part (security.MAX_FORM_BYTES)
Value = str | bytes


@dataclass(frozen=True)
class WebRoute:
    method: str
    path: str  # as the app declares it: {name} for a path parameter
    fields: tuple[str, ...] = ()  # form fields (POST) or query parameters (GET)
    files: tuple[str, ...] = ()  # multipart file fields
    anonymous: bool = False  # POSTed before sign-in: its CSRF token is bound to the visitor cookie

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)


CONTACT = ("unit_code", "role", "name", "email", "phone", "webhook_url", "channels")
CSV_IMPORT = ("commit", "data", "filename")
ROUTES: list[WebRoute] = [
    WebRoute("GET", "/dang-nhap", ("next", "ly-do")),
    WebRoute("POST", "/dang-nhap", ("username", "password", "next"), anonymous=True),
    WebRoute("POST", "/dang-xuat"),
    WebRoute("POST", "/doi-mat-khau", ("current_password", "new_password", "new_password_again")),
    WebRoute("GET", "/bao-cao/{form}/{period}"),
    WebRoute(
        "POST",
        "/bao-cao/{form}/{period}",
        ("values.c.numerator", "values.c.denominator", "values.d.numerator", "confirm", "key"),
    ),
    WebRoute("GET", "/bao-cao/lich-su/{report_id}"),
    WebRoute("GET", "/bao-cao/mau/{form}/{period}", ("dinh-dang", "don-vi")),
    WebRoute(
        "POST",
        "/bao-cao/tai-len",
        ("commit", "confirm", "key", "data", "filename", "form", "period"),
        ("file",),
    ),
    WebRoute("GET", "/tong-quan", ("ky",)),
    WebRoute("GET", "/tong-quan/truc-tiep", ("ky", "v")),
    WebRoute("GET", "/don-vi/{unit}"),
    WebRoute("GET", "/xep-hang/{indicator}", ("loai", "sap-xep", "thu-tu")),
    WebRoute("GET", "/bieu-do/lich-su/{unit}/{indicator}.svg"),
    WebRoute("GET", "/bieu-do/xep-hang/{indicator}.svg", ("loai",)),
    WebRoute("GET", "/xuat/day-du.{ext}", ("ky",)),
    WebRoute("GET", "/xuat/xep-hang-{indicator}.{ext}", ("loai",)),
    WebRoute("GET", "/xuat/bang-tinh.{ext}"),
    WebRoute("GET", "/xuat/lich-su-{unit}-{indicator}.{ext}"),
    WebRoute("GET", "/bao-cao-tong-hop", ("ky",)),
    WebRoute("GET", "/bao-cao-tong-hop/{period}.{ext}"),
    WebRoute("GET", "/canh-bao", ("trang-thai", "da-xac-nhan")),
    WebRoute("POST", "/canh-bao/{violation_id}/xac-nhan", ("reason",)),
    WebRoute("GET", "/xac-nhan-canh-bao/{violation_id}", ("token",)),
    WebRoute("POST", "/xac-nhan-canh-bao/{violation_id}", ("token", "reason"), anonymous=True),
    WebRoute("GET", "/nhat-ky-gui", ("don-vi", "kenh", "trang-thai", "tu-ngay", "trang")),
    WebRoute("POST", "/quan-tri/tai-khoan/nhap", CSV_IMPORT, ("file",)),
    WebRoute("POST", "/quan-tri/tai-khoan/{username}/cap-lai-mat-khau"),
    WebRoute("POST", "/quan-tri/tai-khoan/{username}/khoa"),
    WebRoute("GET", "/quan-tri/danh-ba", ("sua",)),
    WebRoute("POST", "/quan-tri/danh-ba", CONTACT),
    WebRoute("POST", "/quan-tri/danh-ba/{contact_id}", (*CONTACT, "action")),
    WebRoute("POST", "/quan-tri/danh-ba-nhap", CSV_IMPORT, ("file",)),
    WebRoute("GET", "/quan-tri/danh-ba.{ext}"),
]
# Pages that take nothing at all: opened once each by the fuzz (nothing to vary), and the service's own.
WITHOUT_INPUT = {"/", "/bao-cao", "/bao-cao/tai-len", "/doi-mat-khau", "/quan-tri/tai-khoan"}
WITHOUT_INPUT |= {"/quan-tri/quy-tac", "/quan-tri/danh-muc"}
NOT_FUZZED = {"/health/live", "/health/ready", "/health/workers", "/metrics", "/static"}

PLAUSIBLE: dict[str, list[str]] = {
    "form": ["monthly", "quarterly", "khong_co"],
    "period": ["2026-03", "2026-02", "2026-Q1", "2027-13"],
    "report_id": [str(uuid.UUID(int=1)), "00000000-0000-0000-0000-00000000000g"],
    "unit": ["09313", "07210", "00000", "09"],
    "don-vi": ["09313", "07210", "09", ""],
    "unit_code": ["09313", "07210", "99999"],
    "indicator": ["c", "d", "khong_co"],
    "ext": ["csv", "xlsx", "pdf", "html", "exe"],
    "violation_id": ["1", "2", "9223372036854775807", "0", "-1"],
    "contact_id": ["1", "2", "2147483647", "0"],
    "username": ["commune.09313", "operator.tinh", "admin"],
    "ky": ["2026-03", "2026-Q1", "2099-01"],
    "dinh-dang": ["xlsx", "csv", "pdf"],
    "loai": ["xa", "phuong", "tinh"],
    "thu-tu": ["asc", "desc"],
    "sap-xep": ["rank", "name", "value"],
    "trang-thai": ["open", "resolved", "sent", "failed", "pending"],
    "kenh": ["email", "sms", "webhook", "fax"],
    "tu-ngay": ["2026-03-01", "2026-02-30"],
    "trang": ["1", "2", "10001"],
    "da-xac-nhan": ["1", "0"],
    "sua": ["1", "0"],
    "next": ["/tong-quan", "//evil.example", "https://evil.example/", "/\\evil"],
    "confirm": ["yes", "no"],
    "commit": ["yes", "no"],
    "action": ["deactivate", "save"],
    "values.c.numerator": ["5000", "-1", "1e9", "abc"],
    "values.c.denominator": ["10000", "0"],
    "values.d.numerator": ["1", "0"],
    "role": ["clerk", "leader", "commune", ""],
    "email": ["a@example.invalid", "not-an-email"],
    "phone": ["+84901234567", "0901234567", "12"],
    "webhook_url": ["https://hooks.example.invalid/x", "ftp://x"],
    "channels": ["email", "email,sms", "pigeon"],
    "data": ["dW5pdF9jb2RlCjA5MzEzCg==", "not base64!"],
    "filename": ["bao-cao.csv", "bao-cao.xlsx", "../../etc/passwd"],
}
FILES = [
    b"unit_code,unit_name\n09313,X\n",
    b"=cmd|' /C calc'!A0,+1,-1,@SUM(A1)\n",
    b"PK\x03\x04" + b"\x00garbage" * 100,
    b"\xff\xfe\xfd\x00",
]


def values(name: str, in_url: bool = False) -> st.SearchStrategy[Value]:
    """A value for one field: plausible, any text, bytes that are no UTF-8, or huge (in an address:
    8 KB, as long as a client sends; in a form: 100 KB and above the web's limit)."""
    plausible = st.sampled_from(PLAUSIBLE.get(name, ["x"]))
    huge = [b"a" * 8_000] if in_url else [b"a" * 100_000, b"\xc3" * HUGE]
    return st.one_of(
        plausible,
        plausible,
        st.text(max_size=40),
        st.binary(min_size=1, max_size=20).map(lambda b: b"\xff" + b),
        st.sampled_from(huge),
    )


@dataclass
class WebCase:
    route: WebRoute
    path: dict[str, Value]
    fields: dict[str, Value | None]  # None: the field is left out
    files: dict[str, bytes]
    csrf: str  # valid, missing, forged, other
    multipart: bool
    description: str = field(default="")

    def url(self) -> str:
        path = self.route.path
        for name, value in self.path.items():
            raw = value if isinstance(value, bytes) else value.encode()
            path = path.replace("{" + name + "}", quote_from_bytes(raw, safe="") or "%20")
        if self.route.method == "GET" and self.fields:
            path += "?" + encoded({k: v for k, v in self.fields.items() if v is not None})
        return path


def encoded(fields: dict[str, Value]) -> str:
    """`application/x-www-form-urlencoded` of raw bytes (a non-UTF-8 value goes out as it is)."""
    parts = []
    for key, value in fields.items():
        raw = value if isinstance(value, bytes) else value.encode()
        parts.append(f"{quote(key, safe='')}={quote_from_bytes(raw, safe='')}")
    return "&".join(parts)


@st.composite
def cases(draw: st.DrawFn, route: WebRoute) -> WebCase:
    path = {name: draw(values(name, in_url=True)) for name in route.parameters}
    in_url = route.method == "GET"
    fields: dict[str, Value | None] = {
        name: draw(st.one_of(st.none(), values(name, in_url))) for name in route.fields
    }
    files = {name: draw(st.sampled_from(FILES)) for name in route.files if draw(st.booleans())}
    csrf = draw(st.sampled_from(["valid", "valid", "valid", "missing", "forged", "other"]))
    multipart = (bool(route.files) or draw(st.booleans())) if route.method == "POST" else False
    return WebCase(route, path, fields, files, csrf, multipart)


def csrf_field(case: WebCase, valid: str, other: str) -> dict[str, Value]:
    chosen = {"valid": valid, "other": other, "forged": "A" * len(valid) or "x", "missing": None}
    token = chosen[case.csrf]
    return {} if token is None else {"csrf": token}
