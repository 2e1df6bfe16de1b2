"""The main pages under the Content-Security-Policy in Chromium: a page whose script, style
or handler the policy refuses logs a violation, and this test fails on any."""

from urllib.parse import urlsplit

import pytest

from shuangying.checkpoints.tests.factories import make_checkpoint
from shuangying.places.services import create_place
from shuangying.places.tokens import checkin_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp = window.__csp || [];
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});"""


@pytest.fixture
def violations(page):
    seen = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


def visit(page, path, seen):
    response = page.goto(path)
    assert response.status < 400, path
    assert page.url.endswith(path), f"{path} led to {page.url}"
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    page.wait_for_load_state("networkidle")
    seen.extend(page.evaluate("window.__csp || []"))


def test_main_pages_run_without_a_csp_violation(
    page, log_in, personas, people, county, violations, settings
):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    place = create_place(type="supermarket", name="东村惠民超市", division=county.grid1a)
    make_checkpoint(county.village1, "东村卡点", "village_gate")

    visit(page, "/accounts/login/", violations)
    visit(page, urlsplit(checkin_url(place.codes.get(), "http://testserver")).path, violations)
    log_in("county")
    visit(page, "/people/", violations)
    visit(page, f"/people/{people.in_grid1a.pk}/", violations)
    page.context.clear_cookies()
    log_in("checkpoint")
    visit(page, "/checkpoints/", violations)
    assert violations == []


def test_an_inline_script_is_refused_and_reported(page, live_server, violations):
    # The listener works: an injected inline script is blocked and counted.
    page.goto("/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.x") is None
    assert violations or page.evaluate("window.__csp || []")
