"""The enterprise contact (issue 16 item 5): it asks for supplies and transport passes, sees
only what it asked for and its own enterprise's, and no other page of the county's."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shuangying.passes.models import Pass, PassApplication
from shuangying.supplies import services as s
from shuangying.supplies.models import Category, EnterpriseRequest, Item
from shuangying.testing import login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(county):
    return make_user("ent", "enterprise_contact", full_name="企业联络人")


@pytest.fixture
def enterprises(county, contact):
    item = Item.objects.create(
        category=Category.objects.create(name="医疗防护"), name="医用外科口罩", unit="个"
    )
    mine = s.create_recipient(
        name="一镇食品厂", kind="enterprise", division=county.town1, contact_account=contact
    )
    other = s.create_recipient(name="二镇机械厂", kind="enterprise", division=county.town2)
    s.create_enterprise_request(recipient=other, item=item, quantity=Decimal(7))
    return mine, other, item


def window():
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {
        "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
        "valid_until": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    }


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        ("/supplies/requests/", 200),
        ("/supplies/requests/new/", 200),
        ("/passes/new/", 200),
        ("/passes/applications/", 200),
        ("/passes/", 200),
        ("/supplies/", 403),
        ("/supplies/dispatch/", 403),
        ("/people/", 403),
        ("/passes/rules/", 403),
        ("/passes/checks/", 403),
    ],
)
def test_what_the_enterprise_contact_may_open(client, contact, enterprises, url, status):
    login(client, contact)
    assert client.get(url).status_code == status


def test_it_asks_for_supplies_for_its_own_enterprise_only(client, contact, enterprises):
    mine, other, item = enterprises
    login(client, contact)
    form = client.get("/supplies/requests/new/").content.decode()
    assert "一镇食品厂" in form and "二镇机械厂" not in form
    data = {"item": item.pk, "quantity": "500", "reason": "复工防护"}
    r = client.post("/supplies/requests/new/", {**data, "recipient": other.pk})
    assert r.status_code == 400 and not EnterpriseRequest.objects.filter(quantity=500).exists()
    r = client.post("/supplies/requests/new/", {**data, "recipient": mine.pk})
    assert r.status_code == 302
    listing = client.get("/supplies/requests/").content.decode()
    assert "一镇食品厂" in listing and "二镇机械厂" not in listing
    home = client.get("/").content.decode()
    assert "我提出的物资需求" in home and "一镇食品厂：医用外科口罩 500（待处理）" in home


def test_a_transport_pass_is_asked_for_then_issued_by_the_township(
    client, contact, county, personas
):
    login(client, contact)
    form = client.get("/passes/new/").content.decode()
    assert "申请运输通行证" in form and "一镇" in form
    data = {"division": county.town1.pk, "holder_name": "一镇食品厂", "route": "厂区—县城"}
    r = client.post("/passes/new/", {**data, "plate": "X12345", **window()})
    assert r.status_code == 400 and "车牌号：首字应为省份简称" in r.content.decode()
    r = client.post("/passes/new/", {**data, "plate": "晋L12345", **window()})
    assert r.status_code == 302
    application = PassApplication.objects.get()
    assert application.created_by == contact and not Pass.objects.exists()
    assert "待签发" in client.get("/").content.decode()
    # Another township's officer does not see it; town1's issues it.
    login(client, personas["town1"])
    assert "一镇食品厂" in client.get("/passes/applications/").content.decode()
    r = client.post(f"/passes/applications/{application.pk}/decide/", {"decision": "issue"})
    issued = Pass.objects.get()
    assert r.status_code == 302 and issued.plate == "晋L12345" and issued.type == "transport"
    # The applicant sees its pass, and no other.
    login(client, contact)
    assert client.get(f"/passes/{issued.pk}/").status_code == 200
    assert "已签发" in client.get("/passes/applications/").content.decode()


def test_another_township_cannot_decide(client, contact, county):
    from shuangying.passes.services import apply_for_pass

    application = apply_for_pass(
        actor=contact,
        division=county.town1,
        holder_name="一镇食品厂",
        plate="晋L12345",
        route="厂区—县城",
        valid_from=timezone.now(),
        valid_until=timezone.now() + timedelta(days=3),
    )
    officer = make_user("t2", "township_officer", divisions=[county.town2])
    login(client, officer)
    assert "一镇食品厂" not in client.get("/passes/applications/").content.decode()
    r = client.post(f"/passes/applications/{application.pk}/decide/", {"decision": "issue"})
    assert r.status_code == 404 and not Pass.objects.exists()


def test_others_passes_stay_hidden_from_the_contact(client, contact, county):
    from shuangying.passes.services import issue_pass

    other = issue_pass(
        actor=None,
        type="transport",
        division=county.town1,
        holder_name="别家",
        plate="晋L54321",
        route="路线",
        valid_from=timezone.now(),
        valid_until=timezone.now() + timedelta(days=3),
    )
    login(client, contact)
    assert client.get(f"/passes/{other.pk}/").status_code == 404
    assert "别家" not in client.get("/passes/").content.decode()
