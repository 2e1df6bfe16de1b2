"""The home page (issue 16 item 5): each role sees the figures of its own work, found in
each app's dashboard.py, and nobody meets a "未分配区划" dead end."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangying.accounts.models import User
from shuangying.checkpoints.models import CheckpointRecord
from shuangying.dashboard import registry
from shuangying.healthcodes.models import HealthCodeState
from shuangying.supplies.models import EnterpriseRequest

PANELS = {
    "people-panel",
    "healthcodes-panel",
    "checkpoints-panel",
    "supplies-card",
    "passes-panel",
    "accounts-panel",
    "audit-panel",
    "divisions-panel",
}


def home(client, username):
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "未分配区划" not in text
    return text, {p.testid for p in response.context["panels"]}, response.context["panels"]


def figure(panels, testid, label):
    panel = next(p for p in panels if p.testid == testid)
    return next(f.value for f in panel.figures if f.label == label)


def test_panels_are_discovered_not_imported():
    modules = {provider.__module__ for provider in registry.discover()}
    assert {"shuangying.people.dashboard", "shuangying.checkpoints.dashboard"} <= modules
    assert "shuangying.supplies.dashboard" in modules


@pytest.mark.django_db
def test_each_role_sees_its_own_work(demo_county, client):
    # One check with a fever at the checkpoint staff's own township today.
    record = CheckpointRecord.objects.filter(checkpoint__division__name="乐昌镇").first()
    record.pk, record.client_uuid = None, uuid.uuid4()
    record.checked_at, record.is_fever = timezone.now() - timedelta(minutes=5), True
    record.temperature, record.outcome = 38.5, "fever_clinic"
    record.save()

    text, seen, panels = home(client, "county")
    assert {"people-panel", "healthcodes-panel", "checkpoints-panel", "supplies-card"} <= seen
    yellow = HealthCodeState.objects.filter(colour="yellow").count()
    assert yellow > 0 and figure(panels, "healthcodes-panel", "黄码") == yellow
    assert figure(panels, "checkpoints-panel", "今日发现发热") >= 1
    held = next(p for p in panels if p.testid == "divisions-panel")
    assert (held.items, held.links) == ([], [("曲沃县", demo_county.get_absolute_url())])

    _text, seen, panels = home(client, "grid1a")
    held = next(p for p in panels if p.testid == "divisions-panel")
    assert [label for label, _url in held.links] == ["乐昌镇兴隆街社区计委1号楼第一网格"]

    _text, seen, panels = home(client, "checkpoint")
    assert "checkpoints-panel" in seen and "supplies-card" not in seen
    assert figure(panels, "checkpoints-panel", "今日发现发热") >= 1
    assert figure(panels, "checkpoints-panel", "近7日发热预警") >= 1

    text, seen, panels = home(client, "supplies")
    assert "supplies-card" in seen and "people-panel" not in seen
    assert figure(panels, "supplies-card", "库存金额").startswith("¥")

    text, seen, panels = home(client, "enterprise")
    assert seen == {"supplies-card", "passes-panel"}
    assert figure(panels, "supplies-card", "我提出的物资需求") == 2
    # The demo's food company asked for four transport passes; three are issued.
    assert figure(panels, "passes-panel", "我的通行证申请") == 4
    assert figure(panels, "passes-panel", "有效通行证") == 3
    assert EnterpriseRequest.objects.filter(created_by__username="enterprise").count() == 2
    assert "医用外科口罩" in text and "请联系" not in text
    assert reverse("supplies:request_create") in text  # it asks for its own enterprise

    _text, seen, _panels = home(client, "auditor")
    assert seen == {"audit-panel"}
    _text, seen, _panels = home(client, "security")
    assert seen == {"accounts-panel"}
    _text, seen, _panels = home(client, "dept")
    assert "people-panel" in seen and "divisions-panel" not in seen
    assert seen <= PANELS


@pytest.mark.django_db
def test_a_user_without_any_work_is_told_what_to_do(client):
    user = User.objects.create_user(username="nobody", password="x" * 12)
    client.force_login(user)
    text = client.get(reverse("dashboard:home")).content.decode()
    assert "暂未分配任何工作" in text and "未分配区划" not in text
