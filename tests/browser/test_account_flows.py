"""Login security and account administration in a real Chromium at 375 px (A4, M2)."""

import time

import pyotp
import pytest

from shuangying.accounts.models import User
from shuangying.accounts.tests.helpers import enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_auditor_enrols_two_factor_then_reads_the_log(page, log_in, personas):
    log_in("auditor")
    assert "绑定两步验证" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=totp-qr] svg").is_visible()
    assert no_overflow(page)
    secret = page.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="完成绑定").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="审计日志").click()
    assert "审计日志" in page.locator("h1").inner_text()
    page.select_option("#id_action", "security")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**action=security**")
    assert "绑定两步验证" in page.locator("#audit-table").inner_text()
    assert no_overflow(page)


def test_admin_verifies_then_creates_an_account(page, log_in, personas, county):
    totp = enrol_totp(personas["admin"])
    log_in("admin")
    assert "两步验证" in page.locator("h1").inner_text()
    page.fill("#id_code", totp.at(time.time()))
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="用户管理").click()
    page.get_by_role("link", name="新增用户").click()
    assert no_overflow(page)
    page.fill("#id_username", "newgrid")
    page.fill("#id_full_name", "新网格员")
    page.select_option("#id_divisions", label="　　　　东村一网格（01）")
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "short")
    page.get_by_role("button", name="保存").click()
    assert "密码太短" in page.content()
    page.fill("#id_password1", "Spring-Rice-Field-2020")
    page.fill("#id_password2", "Spring-Rice-Field-2020")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "角色需由安全管理员分配" in page.content()
    assert no_overflow(page)
    assert User.objects.get(username="newgrid").role_names() == []


def test_locked_out_page_is_clear(page, personas):
    for _ in range(5):
        page.goto("/accounts/login/")
        page.fill("#id_username", "grid1a")
        page.fill("#id_password", "wrong-password-1")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "登录已暂时锁定" in text and "15 分钟" in text
    assert no_overflow(page)
