"""A commune clerk in a real browser: the form with a mistake, the error at its field, the receipt;
uploads; another commune's pages stay closed."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from support.web import WebStack, axe_violations, columns, sign_in, xlsx_bytes

PHONE = {"width": 360, "height": 740}
pytestmark = pytest.mark.timeout(300)  # the first test also waits for the stack to start


def _clerk_page(browser: Browser, stack: WebStack, unit: str) -> Any:
    page = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
    sign_in(page, stack, *stack.account("commune", unit))
    expect(page.get_by_role("heading", name="Báo cáo của tôi")).to_be_visible()
    return page


def test_a_clerk_fixes_a_mistake_at_its_field_and_gets_the_receipt(
    web_stack: WebStack, browser: Browser
) -> None:
    page = _clerk_page(browser, web_stack, "09313")
    page.goto(f"{web_stack.url}/bao-cao")
    expect(page.get_by_role("heading", name="Báo cáo của tôi")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Nhập báo cáo Báo cáo tháng kỳ 2026-03").click()

    figures = page.get_by_role("group", name="Chỉ tiêu c", exact=False)
    figures.get_by_label("Số đạt (tử số)").fill("19000")  # the mistake: above the denominator
    figures.get_by_label("Tổng số (mẫu số)").fill("18000")
    other = page.get_by_role("group", name="Chỉ tiêu d", exact=False)
    other.get_by_label("Số đạt (tử số)").fill("9000")
    other.get_by_label("Tổng số (mẫu số)").fill("18000")
    page.get_by_role("button", name="Gửi báo cáo").click()

    numerator = figures.get_by_label("Số đạt (tử số)")
    expect(numerator).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#values-c-numerator-loi")).to_contain_text("19.000")  # the API's message, at it
    expect(numerator).to_have_value("19000")  # what was typed is kept
    expect(other.get_by_label("Số đạt (tử số)")).to_have_value("9000")
    assert axe_violations(page) == []

    numerator.fill("15000")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_role("heading", name="Biên nhận báo cáo")).to_be_visible()
    expect(page.get_by_text("Đúng hạn", exact=True)).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("1")
    assert axe_violations(page) == []
    page.context.close()


def test_a_clerk_cannot_open_another_communes_page(web_stack: WebStack, browser: Browser) -> None:
    web_stack.submit(
        "09292",
        "2026-02",
        {"c": {"numerator": 5000, "denominator": 9000}, "d": {"numerator": 100, "denominator": 9000}},
    )
    page = _clerk_page(browser, web_stack, "09313")
    reply = page.goto(f"{web_stack.url}/don-vi/09292")
    assert reply is not None and reply.status == 403
    expect(page.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
    assert "5.000" not in page.content() and "09292" not in page.inner_text("main")
    for path in ("/bieu-do/lich-su/09292/c.svg", "/xuat/lich-su-09292-c.csv", "/tong-quan", "/xep-hang/c"):
        reply = page.goto(f"{web_stack.url}{path}")
        assert reply is not None and reply.status == 403, path
    assert axe_violations(page) == []
    page.context.close()


def test_an_upload_shows_each_wrong_cell_then_a_correct_file_commits(
    web_stack: WebStack, browser: Browser, tmp_path: Any
) -> None:
    book = web_stack.template("09193", "2026-03")
    sheet = book.active
    key_row, at = columns(sheet)
    row = key_row + 1
    while sheet.cell(row, 1).value != "09193":
        row += 1
    sheet.cell(row, at["c.numerator"], "một trăm")  # wrong: not a number
    sheet.cell(row, at["c.denominator"], 200)
    sheet.cell(row, at["d.numerator"], "năm mươi")  # wrong: not a number either
    sheet.cell(row, at["d.denominator"], 200)
    wrong = tmp_path / "sai.xlsx"
    wrong.write_bytes(xlsx_bytes(book))

    page = _clerk_page(browser, web_stack, "09193")
    page.goto(f"{web_stack.url}/bao-cao/tai-len")
    page.get_by_label("Tệp đã điền (.xlsx hoặc .csv)").set_input_files(str(wrong))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    problems = page.locator("table.problems tbody tr")
    expect(problems).to_have_count(2)
    letters = {v: k for k, v in at.items()}
    cells = {
        (problems.nth(i).locator("td").nth(1).inner_text(), problems.nth(i).locator("td").nth(2).inner_text())
        for i in range(2)
    }
    assert cells == {(str(row), _letter(at["c.numerator"])), (str(row), _letter(at["d.numerator"]))}, (
        cells,
        letters,
    )
    assert axe_violations(page) == []

    sheet.cell(row, at["c.numerator"], 150)
    sheet.cell(row, at["d.numerator"], 50)
    right = tmp_path / "dung.xlsx"
    right.write_bytes(xlsx_bytes(book))
    page.get_by_label("Tệp đã điền (.xlsx hoặc .csv)").set_input_files(str(right))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("heading", name="Kết quả kiểm tra: dung.xlsx")).to_be_visible()
    page.get_by_role("button", name="Gửi (lưu tất cả các dòng)").click()
    expect(page.get_by_role("heading", name="Đã lưu: dung.xlsx")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(1)
    page.goto(f"{web_stack.url}/bao-cao")
    expect(page.locator(".card", has_text="Báo cáo tháng — kỳ 2026-03")).to_contain_text("Đã nộp đúng hạn")
    page.context.close()


def test_a_csv_upload_takes_its_form_and_period_from_the_page(
    web_stack: WebStack, browser: Browser, tmp_path: Any
) -> None:
    """A CSV names neither form nor period (the Excel template does): chosen on the page, they reach
    intake with the dry run and again with the commit."""
    reply = httpx.get(
        f"{web_stack.system.url('intake')}/api/v1/templates/monthly",
        params={"period": "2026-01", "unit": "09193", "format": "csv"},
        headers={"Authorization": f"Bearer {web_stack.api_token('commune', '09193')}"},
        timeout=20,
    )
    reply.raise_for_status()
    header, row = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))[:2]
    figures = {"c.numerator": "120", "c.denominator": "200", "d.numerator": "40", "d.denominator": "200"}
    row = [figures.get(key, cell) for key, cell in zip(header, row, strict=True)]
    filled = tmp_path / "thang-1.csv"
    out = io.StringIO()
    csv.writer(out).writerows([header, row])
    filled.write_text(out.getvalue(), encoding="utf-8")

    page = _clerk_page(browser, web_stack, "09193")
    page.goto(f"{web_stack.url}/bao-cao/tai-len")
    page.get_by_label("Tệp đã điền (.xlsx hoặc .csv)").set_input_files(str(filled))
    page.get_by_label("Biểu báo cáo").select_option("monthly")
    page.get_by_label("Kỳ báo cáo (ví dụ 2026-03)").fill("2026-01")
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("heading", name="Kết quả kiểm tra: thang-1.csv")).to_be_visible()
    expect(page.locator("caption", has_text="biểu monthly, kỳ 2026-01")).to_be_visible()
    page.get_by_role("button", name="Gửi (lưu tất cả các dòng)").click()
    expect(page.get_by_role("heading", name="Đã lưu: thang-1.csv")).to_be_visible()
    assert axe_violations(page) == []
    page.context.close()


def _letter(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out
