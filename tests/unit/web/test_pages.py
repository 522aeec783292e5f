"""The web's HTTP side in-process, on fakes of the three APIs: cookies, CSRF, CSP, redirects, 403."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import httpx
import pytest

from bdhvs_shared.catalogue import load_catalogue
from bdhvs_shared.clock import clock_from_iso
from support.web_fakes import FakeIntake, FakeKpi, FakeNotifier
from web.adapters.rendering import Renderer
from web.bootstrap import Container, create_app
from web.domain.problems import Forbidden, Problem
from web.entrypoints.http.metrics import WebMetrics
from web.service_layer.clerk import Calendar
from web.settings import WebSettings

SETTINGS = WebSettings(web_secret="unit-test-secret-0123", clock_start="2026-03-16T09:00:00+07:00")
ACCOUNTS = {
    "canbo.chilang": {
        "username": "canbo.chilang",
        "display_name": "Cán bộ Chi Lăng",
        "role": "commune",
        "unit_code": "09313",
        "password": "Dung-mat-khau-1",
    },
    "vanhanh": {
        "username": "vanhanh",
        "display_name": "Vận hành",
        "role": "operator",
        "password": "Van-hanh-tinh-1",
    },
    "moi": {
        "username": "moi",
        "display_name": "Người mới",
        "role": "commune",
        "unit_code": "09313",
        "password": "Cap-lan-dau-1",
        "must_change": True,
    },
}


@pytest.fixture
def notifier() -> FakeNotifier:
    return FakeNotifier()


@pytest.fixture
async def client(notifier: FakeNotifier) -> AsyncIterator[httpx.AsyncClient]:
    intake = FakeIntake(accounts_by_name=ACCOUNTS)

    def build(settings: WebSettings, metrics: WebMetrics) -> Container:
        tz = ZoneInfo(settings.timezone)
        return Container(
            settings,
            settings.secret(),
            load_catalogue(),
            clock_from_iso(settings.clock_start),
            Calendar(tz),
            intake,
            FakeKpi(),
            notifier,
            Renderer(tz, "Bắc Ninh", "24"),
            metrics,
        )  # type: ignore[arg-type]

    app = create_app(SETTINGS, build)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://web.test") as c:
            yield c


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found is not None
    return found.group(1)


async def _sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    page = await client.get("/dang-nhap")
    return await client.post(
        "/dang-nhap", data={"csrf": _csrf(page.text), "username": username, "password": password}
    )


async def test_pages_carry_a_csp_without_inline_code_and_ask_to_sign_in(client: httpx.AsyncClient) -> None:
    reply = await client.get("/bao-cao")
    assert reply.status_code == 303 and reply.headers["location"] == "/dang-nhap?next=%2Fbao-cao"
    page = await client.get("/dang-nhap")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in page.text and "style=" not in page.text
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"


async def test_signing_in_sets_an_httponly_samesite_cookie_and_the_password_is_never_in_a_url(
    client: httpx.AsyncClient,
) -> None:
    wrong = await _sign_in(client, "canbo.chilang", "sai")
    assert wrong.status_code == 401 and "không đúng" in wrong.text and "sai" not in str(wrong.url)
    reply = await _sign_in(client, "canbo.chilang", "Dung-mat-khau-1")
    assert reply.status_code == 303 and reply.headers["location"] == "/bao-cao"
    cookie = next(v for k, v in reply.headers.multi_items() if k == "set-cookie" and "bdhvs_session" in v)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie  # http here
    mine = await client.get("/bao-cao")
    assert mine.status_code == 200 and "Chi Lăng" in mine.text


async def test_a_post_without_the_forms_csrf_token_changes_nothing(client: httpx.AsyncClient) -> None:
    await _sign_in(client, "canbo.chilang", "Dung-mat-khau-1")
    reply = await client.post("/bao-cao/monthly/2026-03", data={"values.c.numerator": "1", "csrf": "0" * 64})
    assert reply.status_code == 403 and "Biểu mẫu đã cũ" in reply.text
    signed_out = await client.post("/dang-xuat", data={})
    assert signed_out.status_code == 403  # no CSRF token: not even a sign-out


async def test_a_first_sign_in_leads_only_to_the_password_page(client: httpx.AsyncClient) -> None:
    reply = await _sign_in(client, "moi", "Cap-lan-dau-1")
    assert reply.headers["location"] == "/doi-mat-khau"
    elsewhere = await client.get("/bao-cao")
    assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/doi-mat-khau"
    page = await client.get("/doi-mat-khau")
    short = await client.post(
        "/doi-mat-khau",
        data={
            "csrf": _csrf(page.text),
            "current_password": "Cap-lan-dau-1",
            "new_password": "ngan",
            "new_password_again": "ngan",
        },
    )
    assert short.status_code == 422 and "ít nhất 10 ký tự" in short.text
    done = await client.post(
        "/doi-mat-khau",
        data={
            "csrf": _csrf(page.text),
            "current_password": "Cap-lan-dau-1",
            "new_password": "Mat-khau-moi-2026",
            "new_password_again": "Mat-khau-moi-2026",
        },
    )
    assert done.status_code == 200 and "Đã đổi mật khẩu" in done.text
    assert (await client.get("/bao-cao")).status_code == 200


async def test_a_clerk_gets_the_403_page_for_another_unit_and_for_province_pages(
    client: httpx.AsyncClient,
) -> None:
    await _sign_in(client, "canbo.chilang", "Dung-mat-khau-1")
    for path in ("/don-vi/09292", "/tong-quan", "/xep-hang/c", "/canh-bao", "/quan-tri/tai-khoan"):
        reply = await client.get(path)
        assert reply.status_code == 403 and "Không có quyền truy cập" in reply.text, path
        assert "09292" not in reply.text.split("<main")[1]


async def test_the_email_links_page_acknowledges_nothing_until_its_form_is_posted(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/xac-nhan-canh-bao/7?token=7.abc.def")
    assert page.status_code == 200 and 'method="post"' in page.text
    notifier = client._transport.app.state.container.notifier  # type: ignore[attr-defined]
    assert notifier.calls == []
    done = await client.post(
        "/xac-nhan-canh-bao/7", data={"csrf": _csrf(page.text), "token": "7.abc.def", "reason": "đã biết"}
    )
    assert done.status_code == 200 and "Đã xác nhận" in done.text
    assert notifier.calls == ["link:7:đã biết"]


async def test_the_consolidated_page_offers_the_signed_pdf_and_serves_it_as_a_pdf(
    client: httpx.AsyncClient,
) -> None:
    await _sign_in(client, "vanhanh", "Van-hanh-tinh-1")
    page = await client.get("/bao-cao-tong-hop")
    assert page.status_code == 200
    assert re.search(r'href="/bao-cao-tong-hop/\d{4}-\d{2}\.pdf">Bản in \(PDF', page.text)
    pdf = await client.get("/bao-cao-tong-hop/2026-03.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'attachment; filename="bao-cao-tong-hop-2026-03.pdf"'
    assert pdf.content == b"pdf of 2026-03"


async def test_a_malformed_address_or_query_gets_a_page_not_fastapis_json(client: httpx.AsyncClient) -> None:
    """Found by the web fuzz: FastAPI's own 422 JSON (echoing the input) answered these."""
    await _sign_in(client, "vanhanh", "Van-hanh-tinh-1")
    for path, status in (("/don-vi/abc", 404), ("/xuat/day-du.exe", 404), ("/canh-bao?trang-thai=x", 422)):
        reply = await client.get(path)
        assert reply.status_code == status, path
        assert reply.headers["content-type"].startswith("text/html") and "<h1" in reply.text, path
        assert "detail" not in reply.text and "string_pattern_mismatch" not in reply.text
    # Found by the web fuzz as a 500: a date of the right shape that no calendar has.
    for day in ("2026-02-30", "2026-13-01"):
        reply = await client.get(f"/nhat-ky-gui?tu-ngay={day}")
        assert reply.status_code == 422 and "không hợp lệ: tu-ngay." in reply.text, day
    assert (await client.get("/nhat-ky-gui?tu-ngay=2026-02-28")).status_code == 200
    assert "không hợp lệ: trang-thai." in (await client.get("/canh-bao?trang-thai=x")).text


async def test_a_form_too_large_or_unreadable_gets_its_own_page(client: httpx.AsyncClient) -> None:
    """Found by the web fuzz: starlette's 400 'Part exceeded maximum size' was a bare 'Lỗi' page."""
    await _sign_in(client, "vanhanh", "Van-hanh-tinh-1")
    csrf = _csrf((await client.get("/doi-mat-khau")).text)
    huge = {"csrf": csrf, "current_password": b"\xc3" * 3_100_000}
    too_large = await client.post("/doi-mat-khau", data=huge, files={"x": ("", b"", "text/plain")})
    assert too_large.status_code == 413 and "Biểu mẫu quá lớn" in too_large.text
    broken = await client.post(
        "/doi-mat-khau", content=b"--zz\r\ngarbage", headers={"Content-Type": "multipart/form-data"}
    )
    assert broken.status_code in (400, 403) and "<h1" in broken.text


async def test_an_apis_refusal_no_page_handles_is_a_page_not_a_500(client: httpx.AsyncClient) -> None:
    """Found by the web fuzz: kpi's 422 for a quarter on the (monthly) dashboard answered 500."""
    await _sign_in(client, "vanhanh", "Van-hanh-tinh-1")
    reply = await client.get("/tong-quan?ky=2026-Q1")
    assert reply.status_code == 422 and "Kỳ 2026-Q1 không hợp lệ." in reply.text
    assert reply.headers["content-type"].startswith("text/html")


async def _upload_page(client: httpx.AsyncClient, username: str, password: str) -> tuple[str, FakeIntake]:
    """Signed in, the upload form's CSRF token and the fake intake behind the web."""
    await _sign_in(client, username, password)
    csrf = _csrf((await client.get("/bao-cao/tai-len")).text)
    return csrf, client._transport.app.state.container.intake  # type: ignore[attr-defined]


async def test_an_upload_with_a_key_that_is_no_header_value_is_refused_not_a_500(
    client: httpx.AsyncClient,
) -> None:
    """Found by the web fuzz: a non-ASCII retry key made httpx fail encoding intake's header (500)."""
    csrf, intake = await _upload_page(client, "vanhanh", "Van-hanh-tinh-1")
    for key in ("Ä\u00ff", "a b", "k" * 201):
        posted = {"csrf": csrf, "commit": "yes", "data": "", "filename": "x.csv", "key": key}
        reply = await client.post("/bao-cao/tai-len", data=posted, files={"_": ("", b"", "text/plain")})
        assert reply.status_code == 422 and "mở lại trang" in reply.text, key
    assert "import_file" not in intake.calls


async def test_a_clerks_file_naming_another_unit_gets_the_403_page(
    client: httpx.AsyncClient,
) -> None:
    """Issue 16's authz sweep: intake's 403 for another unit's rows was shown as a 422 page."""
    csrf, intake = await _upload_page(client, "canbo.chilang", "Dung-mat-khau-1")
    message = "Tài khoản không được nộp báo cáo của Xã Phù Lãng (09292)."
    intake.refuse_with = Forbidden(403, [Problem("auth.forbidden_unit", "unit_code", message, row=3)])
    file = {"file": ("bao-cao.csv", b"unit_code\n09292\n", "text/csv")}
    reply = await client.post("/bao-cao/tai-len", data={"csrf": csrf}, files=file)
    assert reply.status_code == 403 and "09292" in reply.text and "import_file" in intake.calls


async def test_a_csv_upload_sends_the_chosen_form_and_period_and_keeps_them_for_the_commit(
    client: httpx.AsyncClient,
) -> None:
    """A CSV names neither its form nor its period (the Excel template does): without these fields on
    the page every CSV uploaded through the web was refused by intake with field.missing."""
    csrf, intake = await _upload_page(client, "canbo.chilang", "Dung-mat-khau-1")
    row = {"row": 2, "unit_code": "09313", "revision": None, "on_time": True, "warnings": []}
    intake.import_answer = {"dry_run": True, "form": "monthly", "period": "2026-03", "rows": [row]}
    file = {"file": ("bao-cao.csv", b"unit_code\n09313\n", "text/csv")}
    posted = {"csrf": csrf, "form": "monthly", "period": "2026-03"}
    reply = await client.post("/bao-cao/tai-len", data=posted, files=file)
    assert reply.status_code == 200, reply.text
    _token, _data, _type, dry_run, _confirm, form, period, _key = intake.imported[-1]
    assert (dry_run, form, period) == (True, "monthly", "2026-03")
    commit = reply.text.split('name="commit"')[1]  # the commit form sends them again
    assert 'name="form" value="monthly"' in commit and 'name="period" value="2026-03"' in commit


async def test_an_upload_with_a_malformed_period_is_refused_before_intake(client: httpx.AsyncClient) -> None:
    csrf, intake = await _upload_page(client, "canbo.chilang", "Dung-mat-khau-1")
    file = {"file": ("bao-cao.csv", b"unit_code\n09313\n", "text/csv")}
    # the paths' shapes (clerk.FORM_CODE, clerk.PERIOD), their lengths too
    malformed = (("period", "tháng 3"), ("form", "Monthly!"), ("period", "2026-03-001"), ("form", "m" * 51))
    for field, value in malformed:
        reply = await client.post("/bao-cao/tai-len", data={"csrf": csrf, field: value}, files=file)
        assert reply.status_code == 422 and "không hợp lệ" in reply.text, field
    assert "import_file" not in intake.calls


async def test_an_address_ending_in_a_slash_is_the_404_page_not_a_redirect(client: httpx.AsyncClient) -> None:
    """Found by the web fuzz (100 examples): a path parameter ending in an encoded "/" got starlette's
    307 to the address without it, for GETs and form POSTs alike."""
    await _sign_in(client, "canbo.chilang", "Dung-mat-khau-1")
    for method, path in (
        ("GET", "/bao-cao/monthly/0%2F"),
        ("POST", "/bao-cao/monthly/0%2F"),
        ("GET", "/bao-cao/"),
    ):
        reply = await client.request(method, path)
        assert reply.status_code == 404 and "<h1" in reply.text, (method, path)


async def test_the_charts_name_the_kpi_as_the_pages_do(client: httpx.AsyncClient) -> None:
    await _sign_in(client, "vanhanh", "Van-hanh-tinh-1")
    history = await client.get("/bieu-do/lich-su/09313/dd.svg")
    ranking = await client.get("/bieu-do/xep-hang/dd.svg")
    assert history.status_code == ranking.status_code == 200
    assert "Chỉ tiêu đ — Chi Lăng" in history.text and "Xếp hạng chỉ tiêu đ " in ranking.text


async def test_the_alerts_page_shows_a_page_at_a_time_with_its_filters_kept(
    client: httpx.AsyncClient, notifier: FakeNotifier
) -> None:
    """A province has hundreds of alerts open at once (the demo: 610); the page showed the first 200."""
    notifier.open_violations = 120
    await _sign_in(client, "vanhanh", "Van-hanh-tinh-1")
    first = (await client.get("/canh-bao")).text
    assert "120 cảnh báo đang mở; trang 1: thứ 1–50." in first and first.count('class="card"') == 50
    assert "Trang trước" not in first
    assert 'href="/canh-bao?trang-thai=open&amp;don-vi=&amp;chi-tieu=&amp;trang=2">Trang sau' in first
    last = (await client.get("/canh-bao?trang=3&don-vi=09313&chi-tieu=c")).text
    assert "trang 3: thứ 101–120." in last and "Trang sau" not in last
    assert 'href="/canh-bao?trang-thai=open&amp;don-vi=09313&amp;chi-tieu=c&amp;trang=2">Trang trước' in last
    assert '<option value="c" selected>' in last and 'value="09313"' in last
    assert notifier.asked[-1] == {
        "state": "open",
        "unit": "09313",
        "indicator": "c",
        "limit": 50,
        "offset": 100,
    }
    assert (await client.get("/canh-bao?chi-tieu=C;drop")).status_code == 422


async def test_the_alerts_page_names_an_operational_indicator_in_words(
    client: httpx.AsyncClient, notifier: FakeNotifier
) -> None:
    notifier.open_violations, notifier.indicator = 1, "lop_hoc_thon"
    await _sign_in(client, "vanhanh", "Van-hanh-tinh-1")
    page = (await client.get("/canh-bao")).text
    assert "Chi Lăng — chỉ tiêu lớp học ở thôn" in page and "lop_hoc_thon</h2>" not in page
    assert '<option value="lop_hoc_thon">lớp học ở thôn</option>' in page  # the filter's choices too
