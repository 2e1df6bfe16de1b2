"""The quarantine pages: the desk, ordering by ID number, the order page's actions, the room
board with cleaning, the PDF notice and certificate read back with pypdf, the public
verification, the Excel export."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from shuangying.quarantine import services
from shuangying.quarantine.models import QuarantineOrder
from shuangying.quarantine.notices import release_token
from shuangying.testing import login

from .helpers import days_ago, result_on

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_order_by_id_number_and_see_it_on_the_desk(client, personas, people):
    login(client, personas["grid1a"])
    url = reverse("quarantine:order_create")
    r = client.post(
        url, {"id_number": "110101199003070000", "kind": "home", "reason": "close_contact"}
    )
    assert r.status_code == 400 and "身份证号码" in r.content.decode()
    r = client.post(
        url,
        {
            "id_number": people.in_grid1a.reveal_id_number(),
            "kind": "home",
            "reason": "close_contact",
        },
    )
    order = QuarantineOrder.objects.get()
    assert r.status_code == 302 and r.url == order.get_absolute_url()
    r = client.get(reverse("quarantine:desk"))
    assert r.status_code == 200 and people.in_grid1a.name in r.content.decode()
    # A grid worker may order but not release.
    r = client.get(order.get_absolute_url())
    assert "解除隔离</button>" not in r.content.decode()


def test_order_notice_pdf_reads_back_in_chinese(client, personas, people):
    order = services.open_order(person=people.in_grid1a, kind="home", reason="close_contact").order
    login(client, personas["town1"])
    r = client.get(reverse("quarantine:order_notice", args=[order.pk]))
    assert r["Content-Type"] == "application/pdf"
    text = _text(r)
    assert "隔离告知书" in text and "居家隔离" in text and "密切接触者" in text
    assert people.in_grid1a.name not in text  # the name is masked


def test_release_on_the_page_then_certificate_and_verification(client, personas, people):
    order = services.open_order(
        person=people.in_grid1a, kind="home", reason="close_contact", start_date=days_ago(13)
    ).order
    login(client, personas["town1"])
    release = reverse("quarantine:order_release", args=[order.pk])
    r = client.post(release, {"note": ""})
    assert r.status_code == 400 and "第7天" in r.content.decode()
    assert client.get(reverse("quarantine:order_certificate", args=[order.pk])).status_code == 404
    for n in (7, 13):
        result_on(people.in_grid1a, order.start_date + timedelta(days=n - 1))
    assert client.post(release, {"note": "期满"}).status_code == 302
    r = client.get(reverse("quarantine:order_certificate", args=[order.pk]))
    text = _text(r)
    assert "解除隔离证明" in text and "/quarantine/verify/" in text
    client.logout()
    r = client.get(reverse("quarantine:verify", args=[release_token(order)]))
    assert r.status_code == 200 and "解除隔离证明有效" in r.content.decode()
    assert client.get(reverse("quarantine:verify", args=[f"{order.pk}:forged"])).status_code == 404


def test_change_on_the_page_names_the_field(client, personas, people):
    order = services.open_order(person=people.in_grid1a, kind="home", reason="close_contact").order
    login(client, personas["town1"])
    url = reverse("quarantine:order_change", args=[order.pk])
    assert client.post(url, {"days": "-30", "reason": "评估"}).status_code == 400
    assert client.post(url, {"days": "3", "reason": "同住人确诊"}).status_code == 302
    order.refresh_from_db()
    assert order.changes.count() == 1 and order.days == 17


def test_room_board_allocation_and_cleaning(client, personas, people, county):
    site = services.create_site(name="城南宾馆", kind="hotel", division=county.town1)
    room = services.create_room(site=site, number="101")
    order = services.open_order(
        person=people.in_grid1a, kind="centralised", reason="close_contact", start_date=days_ago(13)
    ).order
    login(client, personas["town1"])
    r = client.post(reverse("quarantine:order_room", args=[order.pk]), {"room": room.pk})
    assert r.status_code == 302
    r = client.get(reverse("quarantine:site_board", args=[site.pk]))
    assert people.in_grid1a.name in r.content.decode() and "已入住" in r.content.decode()
    for n in (7, 13):
        result_on(people.in_grid1a, order.start_date + timedelta(days=n - 1))
    services.release_order(order=order)
    r = client.get(reverse("quarantine:site_board", args=[site.pk]))
    assert "消毒完成" in r.content.decode()
    assert client.post(reverse("quarantine:room_cleaned", args=[room.pk])).status_code == 302
    room.refresh_from_db()
    assert room.state == "free"
    r = client.get(reverse("quarantine:site_list"))
    assert "城南宾馆" in r.content.decode()


def test_export_is_masked(client, personas, people):
    services.open_order(person=people.in_grid1a, kind="home", reason="close_contact")
    login(client, personas["town1"])
    r = client.get(reverse("quarantine:order_export"))
    assert r.status_code == 200
    body = b"".join(r.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    values = [v for row in rows for v in row if v]
    assert people.in_grid1a.name in values
    assert people.in_grid1a.reveal_id_number() not in values
    assert people.in_grid1a.id_number_masked in values


def test_the_audit_log_names_the_quarantine_rows_in_chinese():
    from shuangying.audit.logging import object_type_label

    assert object_type_label("quarantine_order") == "隔离令"
    assert object_type_label("quarantine_site") == "集中隔离点"
