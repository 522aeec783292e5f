"""The province's side in a real browser: the dashboard follows a new report without a reload; every
page of operators and admins passes axe-core at phone and desktop widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from support.web import WebStack, axe_violations, sign_in

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
pytestmark = pytest.mark.timeout(300)  # the first test of a run also waits for the stack to start


def test_the_dashboard_shows_a_new_report_and_the_moved_chart_without_a_reload(
    web_stack: WebStack, browser: Browser
) -> None:
    page = browser.new_context(viewport=DESKTOP, locale="vi-VN").new_page()
    sign_in(page, web_stack, *web_stack.account("operator"))
    expect(page.get_by_role("heading", name="Tổng quan toàn tỉnh")).to_be_visible()
    received = page.locator("table.completeness tbody tr").first.locator("[data-cot=da-nop]")
    before = int(received.inner_text().replace(".", ""))
    chart = page.get_by_role("img", name="Biểu đồ chỉ tiêu c của toàn tỉnh", exact=False)
    chart_before = chart.get_attribute("src")
    page.locator("summary", has_text="Chưa nộp").click()
    expect(page.get_by_role("link", name="Văn Môn")).to_be_visible()
    page.evaluate("window.__same_page = true")
    assert axe_violations(page) == []
    # On a desktop the KPI table fits its column: its last column is seen without scrolling sideways.
    widths = page.evaluate(
        "() => { const s = document.querySelector('table.kpis').closest('.scroll');"
        " return [s.scrollWidth, s.clientWidth]; }"
    )
    assert widths[0] <= widths[1], widths

    reply = web_stack.submit(
        "09238",
        "2026-03",
        {"c": {"numerator": 30000, "denominator": 31000}, "d": {"numerator": 20000, "denominator": 31000}},
    )
    assert reply.status_code == 201, reply.text

    expect(received).to_have_text(str(before + 1), timeout=15_000)  # polled every second here (2 s default)
    expect(page.get_by_role("link", name="Văn Môn")).to_have_count(0)
    expect(chart).not_to_have_attribute("src", chart_before or "", timeout=15_000)
    assert page.evaluate("window.__same_page") is True  # no reload happened
    page.context.close()


PAGES = (
    ("operator", "/tong-quan"),
    ("operator", "/xep-hang/c"),
    ("operator", "/xep-hang/c?loai=phuong&sap-xep=attainment&thu-tu=desc"),
    ("operator", "/don-vi/09238"),
    ("operator", "/bao-cao-tong-hop"),
    ("operator", "/canh-bao"),
    ("operator", "/nhat-ky-gui"),
    ("operator", "/quan-tri/danh-ba"),
    ("admin", "/quan-tri/tai-khoan"),
    ("admin", "/quan-tri/quy-tac"),
    ("admin", "/quan-tri/danh-muc"),
    ("admin", "/doi-mat-khau"),
)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_province_and_admin_page_passes_axe(
    web_stack: WebStack, browser: Browser, viewport: dict[str, int]
) -> None:
    pages = {}
    for role in ("operator", "admin"):
        page = browser.new_context(viewport=viewport, locale="vi-VN").new_page()
        sign_in(page, web_stack, *web_stack.account(role))
        pages[role] = page
    found = {}
    for role, path in PAGES:
        page = pages[role]
        reply = page.goto(f"{web_stack.url}{path}")
        assert reply is not None and reply.status == 200, (path, reply and reply.status)
        found[path] = axe_violations(page)
    assert {p: v for p, v in found.items() if v} == {}
    for page in pages.values():
        page.context.close()
