"""People, not tokens: an admin creates accounts from a CSV; a first sign-in must change the password;
five wrong passwords lock an account, which then stays locked until LOGIN_LOCK_MINUTES have passed; an
idle session ends. Time passes by moving the stack's clock on, not by waiting."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from support.web import WebStack, axe_violations, sign_in

pytestmark = pytest.mark.timeout(300)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
CSV = (
    "username,display_name,role,unit_code,agency_code,email,phone\n"
    "canbo.phulang,Nguyễn Văn An,commune,09292,,an@phulang.example,0912345678\n"
    "canbo.yenphong,Trần Thị Bình,commune,09193,,,\n"
)


def test_an_admin_creates_accounts_from_a_csv_and_a_new_clerk_changes_the_password(
    web_stack: WebStack, browser: Browser, tmp_path: Path
) -> None:
    admin = browser.new_context(viewport=DESKTOP, locale="vi-VN").new_page()
    sign_in(admin, web_stack, *web_stack.account("admin"))
    admin.goto(f"{web_stack.url}/quan-tri/tai-khoan")
    wrong = tmp_path / "sai.csv"
    wrong.write_text(CSV.replace("09193", "99999"), encoding="utf-8")
    admin.get_by_label("Tệp CSV tài khoản").set_input_files(str(wrong))
    admin.get_by_role("button", name="Kiểm tra tệp").click()
    expect(admin.locator("table.problems tbody tr")).to_have_count(1)
    expect(admin.locator("table.problems")).to_contain_text("3")  # its row
    expect(admin.get_by_role("button", name="Tạo 1 tài khoản")).to_have_count(0)  # all or nothing

    right = tmp_path / "dung.csv"
    right.write_text(CSV, encoding="utf-8")
    admin.get_by_label("Tệp CSV tài khoản").set_input_files(str(right))
    admin.get_by_role("button", name="Kiểm tra tệp").click()
    assert axe_violations(admin) == []
    admin.get_by_role("button", name="Tạo 2 tài khoản").click()
    passwords = admin.locator("table.passwords tbody tr")
    expect(passwords).to_have_count(2)
    first = passwords.filter(has_text="canbo.phulang").locator("code").inner_text()
    admin.goto(f"{web_stack.url}/quan-tri/tai-khoan")  # shown once, never again
    expect(admin.locator("table.passwords")).to_have_count(0)
    expect(admin.get_by_role("cell", name="canbo.yenphong", exact=True)).to_be_visible()

    clerk = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
    sign_in(clerk, web_stack, "canbo.phulang", first)
    expect(clerk.get_by_role("heading", name="Đổi mật khẩu")).to_be_visible()
    clerk.goto(f"{web_stack.url}/bao-cao")  # nothing else until the password is changed
    expect(clerk.get_by_role("heading", name="Đổi mật khẩu")).to_be_visible()
    assert axe_violations(clerk) == []
    clerk.get_by_label("Mật khẩu hiện tại").fill(first)
    clerk.get_by_label("Mật khẩu mới (ít nhất 10 ký tự, khác tên đăng nhập)").fill("ngan")
    clerk.get_by_label("Nhập lại mật khẩu mới").fill("ngan")
    clerk.get_by_role("button", name="Đổi mật khẩu").click()
    expect(clerk.locator(".field-error, .notice.error")).not_to_have_count(
        0
    )  # intake's policy, in Vietnamese
    clerk.get_by_label("Mật khẩu hiện tại").fill(first)
    clerk.get_by_label("Mật khẩu mới (ít nhất 10 ký tự, khác tên đăng nhập)").fill("Phu-Lang-2026-moi")
    clerk.get_by_label("Nhập lại mật khẩu mới").fill("Phu-Lang-2026-moi")
    clerk.get_by_role("button", name="Đổi mật khẩu").click()
    expect(clerk.get_by_text("Đã đổi mật khẩu.")).to_be_visible()
    clerk.get_by_role("link", name="Tiếp tục").click()
    expect(clerk.get_by_role("heading", name="Báo cáo của tôi")).to_be_visible()
    expect(clerk.get_by_text("Phù Lãng — mã 09292")).to_be_visible()
    admin.context.close()
    clerk.context.close()


def test_five_wrong_passwords_lock_an_account_which_stays_locked_until_the_lock_ends(
    web_stack: WebStack, browser: Browser
) -> None:
    username, password = web_stack.account("commune", "09202")
    page = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
    for _ in range(5):
        sign_in(page, web_stack, username, "khong-dung-mat-khau")
        expect(page.get_by_role("heading", name="Đăng nhập", exact=True)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Tài khoản tạm khóa")
    sign_in(page, web_stack, username, password)  # the right password, while locked
    expect(page.get_by_role("heading", name="Đăng nhập", exact=True)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Tài khoản tạm khóa")
    assert axe_violations(page) == []
    web_stack.advance(timedelta(minutes=14))  # LOGIN_LOCK_MINUTES=15 in this stack: still locked
    sign_in(page, web_stack, username, password)
    expect(page.get_by_role("alert")).to_contain_text("Tài khoản tạm khóa")
    web_stack.advance(timedelta(minutes=2))
    sign_in(page, web_stack, username, password)  # the lock has ended: the right password works
    expect(page.get_by_role("heading", name="Báo cáo của tôi")).to_be_visible()
    page.context.close()


def test_an_idle_session_expires_and_asks_to_sign_in_again(web_stack: WebStack, browser: Browser) -> None:
    page = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
    sign_in(page, web_stack, *web_stack.account("commune", "09238"))
    expect(page.get_by_role("heading", name="Báo cáo của tôi")).to_be_visible()
    web_stack.advance(timedelta(minutes=29))  # SESSION_IDLE_MINUTES=30 in this stack
    page.reload()
    expect(page.get_by_role("heading", name="Báo cáo của tôi")).to_be_visible()  # a use moves it on
    web_stack.advance(timedelta(minutes=31))
    page.reload()
    expect(page.get_by_role("heading", name="Đăng nhập", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("hết hạn")
    page.context.close()
