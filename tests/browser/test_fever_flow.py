"""The fever loop in a real browser at 375 px (issue 8; E1–E4): a pharmacy registers a buyer
with a fever → the township sees the episode overdue on its home page and its list →
registers → isolates → the lab takes a sample and enters a positive result → the episode has
its result, a suspected case is open and the person's health code is red."""

import datetime as dt

import pytest
from django.utils import timezone

from shuangying.cases.models import Case
from shuangying.fevers.models import FeverEpisode
from shuangying.healthcodes.engine import current_code
from shuangying.labs.services import create_lab
from shuangying.places.services import create_place
from shuangying.testing import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_pharmacy_buyer_to_a_red_code(page, log_in, personas, people, county):
    create_place(type="pharmacy", name="一镇大药房", division=county.town1)
    make_user("drugstore", "pharmacy", [county.town1])
    person = people.in_grid1a
    # Registered from the paper register two hours after the sale: already past the hour.
    sold = timezone.localtime(timezone.now() - dt.timedelta(hours=2))

    log_in("drugstore")
    page.goto("/fevers/pharmacy/")
    page.get_by_label("药店").select_option(label="一镇大药房")
    page.get_by_label("姓名", exact=True).fill(person.name)
    page.get_by_label("证件号码").fill(person.reveal_id_number())
    page.get_by_label("体温（℃）").fill("38.5")
    page.get_by_label("所购药品").fill("布洛芬缓释胶囊")
    page.get_by_label("发现时间").fill(sold.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state()
    assert "已登记" in page.content()
    episode = FeverEpisode.objects.get()
    assert (episode.person_id, episode.channel, episode.status) == (person.pk, "pharmacy", "found")
    log_out(page)

    log_in("town1")
    panel = page.get_by_test_id("fevers-panel")
    assert "发热超时未办" in panel.inner_text()
    page.goto("/fevers/")
    row = page.get_by_test_id("episode").first
    assert person.name in row.inner_text()
    assert row.get_by_test_id("overdue").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    row.get_by_role("link", name=person.name).click()
    page.wait_for_load_state()
    assert page.get_by_test_id("overdue").is_visible()
    page.get_by_role("button", name="确认已登记").click()
    page.wait_for_load_state()
    assert "已登记“已登记”" in page.content()
    page.get_by_label("隔离方式").select_option(label="集中隔离点")
    page.get_by_label("隔离地点").fill("县宾馆集中隔离点")
    page.get_by_role("button", name="确认已隔离").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("status").inner_text().startswith("已隔离")
    episode.refresh_from_db()
    assert (episode.status, episode.isolation_place) == ("isolated", "centralised")
    assert episode.registered_by.username == "town1" and episode.isolated_by.username == "town1"
    log_out(page)

    create_lab(name="县疾控中心实验室", division=county.county, daily_capacity=180)
    make_user("lab9", "lab_staff", [county.county], department=county.health)
    log_in("lab9")
    page.goto("/labs/samples/new/")
    page.get_by_label("证件号码").fill(person.reveal_id_number())
    page.get_by_label("样本条码").fill("FLOW0001")
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state()
    assert "已登记样本 FLOW0001" in page.content()
    episode.refresh_from_db()
    assert (episode.status, episode.sample_barcode) == ("sampled", "FLOW0001")
    page.goto("/labs/results/new/")
    page.get_by_label("条码", exact=True).fill("FLOW0001")
    page.get_by_label("结果", exact=True).select_option(label="阳性")
    page.get_by_label("出结果时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已开立疑似病例" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    episode.refresh_from_db()
    assert (episode.status, episode.result) == ("resulted", "阳性")
    case = Case.objects.get(person=person)
    assert case.case_class == "suspected" and case.sample_barcode == "FLOW0001"
    assert current_code(person).colour == "red"
    log_out(page)

    log_in("town1")
    page.goto(f"/fevers/{episode.pk}/")
    assert page.get_by_test_id("status").inner_text().startswith("已出结果")
    page.goto("/cases/")
    assert person.name in page.content() and "疑似" in page.content()
