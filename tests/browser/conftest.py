"""Real Chromium (Debian's /usr/bin/chromium, headless, no sandbox) driven by Playwright.

Without Chromium these tests skip, unless REQUIRE_BROWSER=1 (CI), where they fail instead."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        return  # the browser fixture will fail loudly
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (CI installs it)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, tmp_path):
    # A browser test runs in a real transaction, and the flush after the one before it removed
    # the rows the migrations seeded (the health-code palette and rule set v1): put them back,
    # so that every test starts from the database a county starts from.
    from shuangying.healthcodes.services import ensure_default_rules

    ensure_default_rules()
    context = browser.new_context(
        viewport={"width": 375, "height": 800},
        locale="zh-CN",
        accept_downloads=True,
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    from shuangying.testing import PASSWORD

    def do(username: str, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return do
