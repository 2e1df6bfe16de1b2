"""Checkpoint mode in a real Chromium at 375 px (C3): taken offline, 20 checks wait in
IndexedDB (the page shows 20 pending), back online they are uploaded, and the database holds
each exactly once, even when the same batch is sent again. A fever appears on the township's
alert page without a reload."""

from datetime import date

import pytest

from shuangying.checkpoints.models import CheckpointRecord
from shuangying.checkpoints.tests.factories import make_checkpoint, make_record
from shuangying.people.identity import make_resident_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT_FOR_WORKER = """() => Promise.race([
  navigator.serviceWorker.ready.then(() => true),
  new Promise((resolve) => setTimeout(() => resolve(false), 5000)),
])"""

QUEUE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("shuangying-checkpoints", 1);
  open.onsuccess = () => {
    const request = open.result.transaction("queue").objectStore("queue").getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  };
})"""

RESEND = """(items) => fetch("/api/checkpoints/records/batch", {
  method: "POST",
  headers: {"Content-Type": "application/json",
            "X-CSRFToken": document.getElementById("checkpoint-mode").dataset.csrf},
  body: JSON.stringify({items: items}),
}).then((r) => r.json())"""


def test_twenty_checks_queued_offline_are_stored_once_each(page, log_in, personas, county):
    make_checkpoint(county.village1, "东村卡点", "village_gate")
    log_in("checkpoint")
    page.goto("/checkpoints/")
    assert page.get_by_test_id("pending-count").inner_text() == "0"
    worker_ready = page.evaluate(WAIT_FOR_WORKER)

    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    assert page.locator("#net-status").inner_text() == "离线"
    for i in range(20):
        page.fill("#cp-id-number", make_resident_id("130682", date(1990, 1, 1), 100 + i))
        page.fill("#cp-temperature", "38.2" if i % 10 == 0 else "36.5")
        outcome = "送发热门诊" if i % 10 == 0 else "放行"
        page.get_by_role("button", name=outcome).click()
        page.wait_for_function(
            f"() => document.getElementById('pending-count').textContent === '{i + 1}'"
        )
    assert page.get_by_test_id("pending-count").inner_text() == "20"
    assert CheckpointRecord.objects.count() == 0
    queued = page.evaluate(QUEUE)
    assert len(queued) == 20 and len({item["client_uuid"] for item in queued}) == 20
    # Only what is needed waits on the device: no names, no masked copies, no server ids.
    assert set(queued[0]) <= {
        "client_uuid",
        "checkpoint",
        "checked_at",
        "temperature",
        "direction",
        "outcome",
        "id_number",
        "health_code_token",
        "is_vehicle",
    }

    if worker_ready:
        # The service worker serves the page shell without a network; the queue survives.
        page.reload()
        page.get_by_test_id("pending-count").wait_for()
        page.wait_for_function(
            "() => document.getElementById('pending-count').textContent === '20'"
        )

    page.context.set_offline(False)
    page.wait_for_function(
        "() => document.getElementById('pending-count').textContent === '0'", timeout=15_000
    )
    assert CheckpointRecord.objects.count() == 20
    assert CheckpointRecord.objects.values("client_uuid").distinct().count() == 20
    assert CheckpointRecord.objects.filter(is_fever=True, outcome="fever_clinic").count() == 2
    assert "已上传" in page.locator("#sync-message").inner_text()

    # The same batch again (a lost answer, a retry): nothing new.
    answer = page.evaluate(RESEND, queued)
    assert (answer["created"], answer["duplicate"]) == (0, 20)
    page.reload()
    page.wait_for_function("() => document.getElementById('pending-count').textContent === '0'")
    assert CheckpointRecord.objects.count() == 20
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_out_of_range_temperature_and_bad_plate_are_refused_on_the_phone(
    page, log_in, personas, county
):
    make_checkpoint(county.village1, "东村卡点", "village_gate")
    log_in("checkpoint")
    page.goto("/checkpoints/")
    page.fill("#cp-id-number", make_resident_id("130682", date(1990, 1, 1), 5))
    page.fill("#cp-temperature", "44")
    page.get_by_role("button", name="放行").click()
    assert "34.0–43.0" in page.locator("#form-errors").inner_text()
    page.fill("#cp-temperature", "36.6")
    page.check("#cp-vehicle")
    page.fill("#cp-plate", "AB12345")
    page.get_by_role("button", name="放行").click()
    assert "省份简称" in page.locator("#form-errors").inner_text()
    page.fill("#cp-plate", "冀F12345")
    page.get_by_role("button", name="放行").click()
    page.wait_for_function(
        "() => document.getElementById('sync-message').textContent.includes('已上传')"
    )
    record = CheckpointRecord.objects.get()
    assert record.plate == "冀F12345" and record.is_vehicle
    assert page.get_by_test_id("pending-count").inner_text() == "0"


def test_a_fever_appears_on_the_townships_screen_without_reloading(page, log_in, personas, county):
    gate = make_checkpoint(county.village1, "东村卡点", "village_gate")
    other = make_checkpoint(county.village2, "西村卡点", "village_gate")
    log_in("town1")
    page.goto("/checkpoints/fevers/")
    assert "暂无发热预警" in page.content()
    make_record(other, temperature="39.9")
    make_record(gate, temperature="38.6")
    item = page.locator(".fever-item", has_text="38.6℃")
    item.wait_for(timeout=8_000)
    assert "东村卡点" in item.inner_text()
    assert "39.9" not in page.locator("#fever-list").inner_text()
    assert page.locator("#fever-empty").count() == 0


DRAW_QR = """(modules) => {
  const scale = 6, quiet = 4 * scale, size = modules.length * scale + 2 * quiet;
  const canvas = document.createElement("canvas");
  canvas.width = size; canvas.height = size;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, size, size);
  ctx.fillStyle = "#000";
  modules.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) ctx.fillRect(quiet + x * scale, quiet + y * scale, scale, scale);
  }));
  return window.checkpointScan(canvas);
}"""


def test_a_scanned_health_code_is_decoded_in_the_browser_and_recorded(
    page, log_in, personas, county, people
):
    import qrcode
    from django.apps import apps

    make_checkpoint(county.village1, "东村卡点", "village_gate")
    verified = apps.is_installed("shuangying.healthcodes")
    if verified:
        import importlib

        from django.apps import apps as django_apps

        from shuangying.healthcodes import engine
        from shuangying.healthcodes.services import issue_code

        # Transactional tests flush the palette and rules the migration seeded: seed again.
        importlib.import_module("shuangying.healthcodes.migrations.0002_default_rules").seed(
            django_apps, None
        )
        engine._palette_cache.clear()
        issued = issue_code(person=people.in_grid1a, audit=False)
        token = issued.token
    else:
        token = "health-code-token-text"
    code = qrcode.QRCode(border=0)
    code.add_data(token)
    code.make(fit=True)
    log_in("checkpoint")
    page.goto("/checkpoints/")
    page.wait_for_function("() => typeof window.jsQR === 'function'")
    # The vendored jsQR decodes the frame the camera would give.
    assert page.evaluate(DRAW_QR, code.get_matrix()) is True
    assert page.input_value("#cp-token") == token
    if verified:
        page.wait_for_function(
            "() => document.getElementById('scan-result').textContent.startsWith('健康码：')"
        )
    page.fill("#cp-temperature", "36.4")
    page.get_by_role("button", name="放行").click()
    page.wait_for_function(
        "() => document.getElementById('sync-message').textContent.includes('已上传')"
    )
    record = CheckpointRecord.objects.get()
    assert record.health_code_token == token
    if verified:
        assert record.health_code_colour == issued.result.colour
