"""The README tour's screenshots, taken from the demo as `make run` serves it.

    make run PORT=8765            # in one terminal (or any served demo)
    .venv/bin/python tools/screenshots.py http://127.0.0.1:8765 [name ...]

Writes docs/img/<name>.png with Debian's Chromium (CHROMIUM, default /usr/bin/chromium):
desktop shots at 1280 px, phone shots at 375 px (the first screen, or the whole page). With names, only those shots."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "img"
PASSWORD = os.environ.get("DEMO_PASSWORD", "Shuangying@2020")
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 760}
WHOLE = True  # the whole page, not only the first screen


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def first_link(page, pattern: str) -> str:
    """The first link on the page whose path matches ``pattern``."""
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if href and re.fullmatch(pattern, href.split("?")[0]):
            return href
    raise SystemExit(f"no link matching {pattern} on {page.url}")


def fever_desk(page, base):
    log_in(page, base, "cdc")
    page.goto(f"{base}/fevers/desk/")


def fever_episode(page, base):
    log_in(page, base, "town1")
    page.goto(f"{base}/fevers/")
    page.goto(base + first_link(page, r"/fevers/\d+/"))


def lab_queue(page, base):
    log_in(page, base, "lab")
    page.goto(f"{base}/labs/")
    # A day of the demo with a pooled round (the demo's own day, 2020-02-15, has none yet).
    page.goto(base + first_link(page, r"/labs/\d+/queue/").split("?")[0] + "?date=2020-02-13")


def case_file(page, base):
    log_in(page, base, "cdc")
    page.goto(f"{base}/cases/")
    page.goto(base + first_link(page, r"/cases/\d+/"))


def supplies_report(page, base):
    log_in(page, base, "supplies")
    page.goto(f"{base}/supplies/reports/items/")


def checkin_phone(page, base):
    """The public check-in a resident reaches by scanning a place code (no login)."""
    log_in(page, base, "town1")
    page.goto(f"{base}/places/")
    page.goto(base + first_link(page, r"/places/\d+/"))
    href = first_link(page, r"(https?://[^/]+)?/c/[^/]+/")
    page.context.clear_cookies()
    page.goto(base + re.sub(r"^https?://[^/]+", "", href))


def login_page(page, base):
    page.goto(f"{base}/accounts/login/")


def home(page, base):
    log_in(page, base, "county")
    page.goto(f"{base}/")


def gate(page, base):
    log_in(page, base, "checkpoint")
    page.goto(f"{base}/checkpoints/")


def people(page, base):
    log_in(page, base, "county")
    page.goto(f"{base}/people/")


def household_phone(page, base):
    log_in(page, base, "grid1a")
    page.goto(f"{base}/people/households/")
    page.goto(base + first_link(page, r"/people/households/\d+/"))


def divisions(page, base):
    log_in(page, base, "county")
    page.goto(f"{base}/divisions/")


SHOTS = {
    "login": (login_page, DESKTOP),
    "home": (home, DESKTOP),
    "home-phone": (home, PHONE),
    "gate": (gate, DESKTOP),
    "gate-phone": (gate, PHONE),
    "people": (people, DESKTOP),
    "household-phone": (household_phone, PHONE, WHOLE),
    "divisions": (divisions, DESKTOP),
    "fever-desk": (fever_desk, DESKTOP),
    "fever-episode-phone": (fever_episode, PHONE, WHOLE),
    "lab-queue": (lab_queue, DESKTOP),
    "case-file": (case_file, DESKTOP),
    "supplies-report": (supplies_report, DESKTOP),
    "checkin-phone": (checkin_phone, PHONE, WHOLE),
}


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    base, names = argv[0].rstrip("/"), argv[1:] or list(SHOTS)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-gpu"],
        )
        for name in names:
            take, viewport, *whole = SHOTS[name]
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            take(page, base)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=bool(whole))
            print(f"docs/img/{name}.png  {page.url}")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
