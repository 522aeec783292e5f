"""An alert email's acknowledge link: opening it acknowledges nothing; its confirm page's POST does."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from support.web import WebStack, axe_violations, sign_in

pytestmark = pytest.mark.timeout(300)
UNIT = "09202"  # Tam Giang: its figures below fall behind the target, an alert follows


def _mails_to(stack: WebStack, address: str, timeout: float = 30.0) -> list[Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in stack.smtp.messages if m["To"] == address]
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no mail to {address} after {timeout}s")


def _violation(stack: WebStack, link: str) -> dict[str, Any]:
    violation_id = re.search(r"/xac-nhan-canh-bao/([0-9]+)", link)
    assert violation_id is not None
    reply = httpx.get(
        f"{stack.system.url('notifier')}/api/v1/violations/{violation_id.group(1)}",
        headers={"Authorization": f"Bearer {stack.api_token('operator')}"},
        timeout=20,
    )
    return dict(reply.json())


def test_an_alert_is_acknowledged_through_the_email_links_confirm_page_and_a_get_does_nothing(
    web_stack: WebStack, browser: Browser
) -> None:
    for period, c, d in (("2026-01", 4000, 7000), ("2026-02", 4300, 7400), ("2026-03", 4700, 7900)):
        values = {"c": {"numerator": c, "denominator": 10000}, "d": {"numerator": d, "denominator": 10000}}
        assert web_stack.submit(UNIT, period, values).status_code == 201
    address = f"chutich.{UNIT}@bacninh.example"
    mail = _mails_to(web_stack, address)[0]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(rf"{re.escape(web_stack.url)}/xac-nhan-canh-bao/\S+", body)
    assert link is not None, body

    opened = httpx.get(link.group(0), timeout=20)  # what a mail scanner does
    assert opened.status_code == 200 and "Xác nhận đã nắm tình hình" in opened.text
    assert _violation(web_stack, link.group(0))["acknowledged_by"] is None  # a GET alone acknowledges nothing

    page = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN").new_page()
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Xác nhận cảnh báo")).to_be_visible()
    assert axe_violations(page) == []
    assert _violation(web_stack, link.group(0))["acknowledged_by"] is None
    page.get_by_label("Ghi chú (không bắt buộc)").fill("Đã giao xã rà soát số liệu")
    page.get_by_role("button", name="Xác nhận đã nắm tình hình").click()
    expect(page.get_by_role("status")).to_contain_text("Đã xác nhận")
    violation = _violation(web_stack, link.group(0))
    assert violation["acknowledged_by"] == address and violation["silenced"] is True

    forged = link.group(0).replace("token=", "token=1")
    page.goto(forged)
    page.get_by_role("button", name="Xác nhận đã nắm tình hình").click()
    expect(page.get_by_role("alert")).to_contain_text("không đúng")
    page.context.close()


def _open_violation(stack: WebStack, unit: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = httpx.get(
            f"{stack.system.url('notifier')}/api/v1/violations",
            params={"unit": unit, "state": "open"},
            headers={"Authorization": f"Bearer {stack.api_token('operator')}"},
            timeout=20,
        )
        if reply.json()["items"]:
            return dict(reply.json()["items"][0])
        time.sleep(0.2)
    raise AssertionError(f"no open violation of {unit} after {timeout}s")


def test_an_operator_acknowledging_on_the_alerts_page_is_named_as_a_person_not_as_a_session(
    web_stack: WebStack, browser: Browser
) -> None:
    unit = "09205"
    for period, c in (("2026-01", 3000), ("2026-02", 3200), ("2026-03", 3400)):
        values = {"c": {"numerator": c, "denominator": 10000}, "d": {"numerator": 7000, "denominator": 10000}}
        assert web_stack.submit(unit, period, values).status_code == 201
    violation = _open_violation(web_stack, unit)
    page = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN").new_page()
    sign_in(page, web_stack, *web_stack.account("operator"), next_path="/canh-bao")
    page.locator(f"#ly-do-{violation['id']}").fill("Đã gọi điện cho xã")
    page.get_by_role("button", name=f"Xác nhận đã nắm tình hình (cảnh báo số {violation['id']})").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã xác nhận cảnh báo số {violation['id']}")
    who = "Người dùng operator (operator.tinh)"  # the account's name and username
    expect(page.get_by_text(f"Đã xác nhận: {who}")).to_be_visible()
    reply = httpx.get(
        f"{web_stack.system.url('notifier')}/api/v1/violations/{violation['id']}",
        headers={"Authorization": f"Bearer {web_stack.api_token('operator')}"},
        timeout=20,
    )
    assert reply.json()["acknowledged_by"] == who and reply.json()["silenced"] is True
    page.context.close()
