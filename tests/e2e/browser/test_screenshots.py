"""`make screenshots`: every page at phone (360 px) and desktop (1280 px) width into docs/ui/.

Skipped unless BDHVS_SCREENSHOTS names the folder (the make target sets it): pictures are for people,
the other tests check the pages."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from support.web import WebStack, sign_in

pytestmark = [
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        not os.environ.get("BDHVS_SCREENSHOTS"), reason="make screenshots sets BDHVS_SCREENSHOTS"
    ),
]
WIDTHS = {"phone": 360, "desktop": 1280}
UNITS = ("09313", "09292", "09193", "09238", "09202", "09205", "09190", "09187", "09169", "09319")


def _seed(stack: WebStack) -> None:
    """Three months of figures for a few communes: the charts have lines, the ranking rows."""
    for n, unit in enumerate(UNITS):
        for month, step in (("2026-01", 0), ("2026-02", 1), ("2026-03", 2)):
            if unit == "09313" and month == "2026-03":
                continue  # left for the clerk's form
            c = 9000 + 900 * step + 700 * n
            d = 5000 + 800 * step + 500 * n
            values = {
                "c": {"numerator": c, "denominator": 20000},
                "d": {"numerator": d, "denominator": 20000},
            }
            stack.submit(unit, month, values)


def _shot(page: Any, folder: Path, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(folder / f"{name}.jpg"), full_page=True, type="jpeg", quality=70)


def test_screenshots_of_every_page(web_stack: WebStack, browser: Browser) -> None:
    folder = Path(os.environ["BDHVS_SCREENSHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    _seed(web_stack)
    time.sleep(3)  # kpi applies the reports
    for label, width in WIDTHS.items():
        people = {}
        for role in ("commune", "operator", "admin"):
            context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
            people[role] = context.new_page()
        anonymous = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN").new_page()
        anonymous.goto(f"{web_stack.url}/dang-nhap")
        _shot(anonymous, folder, f"dang-nhap-{label}")
        clerk, operator, admin = people["commune"], people["operator"], people["admin"]
        # Each signs in just before their pages: sessions in this stack end after a minute idle.
        sign_in(clerk, web_stack, *web_stack.account("commune", "09313"))
        for path, name in (("/bao-cao", "bao-cao"), ("/bao-cao/monthly/2026-03", "nhap-bao-cao")):
            clerk.goto(f"{web_stack.url}{path}")
            _shot(clerk, folder, f"{name}-{label}")
        clerk.get_by_label("Số đạt (tử số)").first.fill("25000")  # above its denominator
        clerk.get_by_label("Tổng số (mẫu số)").first.fill("20000")
        clerk.get_by_label("Số đạt (tử số)").nth(1).fill("9000")
        clerk.get_by_role("button", name="Gửi báo cáo").click()
        _shot(clerk, folder, f"nhap-bao-cao-loi-{label}")
        clerk.get_by_label("Số đạt (tử số)").first.fill("15000")
        clerk.get_by_label("Số đạt (tử số)").nth(1).fill("9000")
        clerk.get_by_label("Tổng số (mẫu số)").nth(1).fill("20000")
        clerk.get_by_role("button", name="Gửi báo cáo").click()
        _shot(clerk, folder, f"bien-nhan-{label}")
        clerk.get_by_role("link", name="Xem lịch sử các lần nộp").click()
        _shot(clerk, folder, f"lich-su-{label}")
        for path, name in (
            ("/bao-cao/tai-len", "tai-len"),
            ("/don-vi/09313", "don-vi"),
            ("/don-vi/09292", "khong-co-quyen"),
            ("/doi-mat-khau", "doi-mat-khau"),
        ):
            clerk.goto(f"{web_stack.url}{path}")
            _shot(clerk, folder, f"{name}-{label}")
        sign_in(operator, web_stack, *web_stack.account("operator"))
        for path, name in (
            ("/tong-quan", "tong-quan"),
            ("/xep-hang/c", "xep-hang"),
            ("/bao-cao-tong-hop", "bao-cao-tong-hop"),
            ("/canh-bao", "canh-bao"),
            ("/nhat-ky-gui", "nhat-ky-gui"),
            ("/quan-tri/danh-ba", "danh-ba"),
        ):
            operator.goto(f"{web_stack.url}{path}")
            _shot(operator, folder, f"{name}-{label}")
        sign_in(admin, web_stack, *web_stack.account("admin"))
        for path, name in (
            ("/quan-tri/tai-khoan", "tai-khoan"),
            ("/quan-tri/quy-tac", "quy-tac"),
            ("/quan-tri/danh-muc", "danh-muc"),
        ):
            admin.goto(f"{web_stack.url}{path}")
            _shot(admin, folder, f"{name}-{label}")
        link = _ack_link(web_stack)
        if link:
            anonymous.goto(link)
            _shot(anonymous, folder, f"xac-nhan-canh-bao-{label}")
        for page in (*people.values(), anonymous):
            page.context.close()


def _ack_link(stack: WebStack) -> str | None:
    for message in stack.smtp.messages:
        body = message.get_body(preferencelist=("plain",))
        found = re.search(
            rf"{re.escape(stack.url)}/xac-nhan-canh-bao/\S+", body.get_content() if body else ""
        )
        if found:
            return found.group(0)
    httpx.get(stack.url)  # nothing sent (yet): no picture of the confirm page
    return None
