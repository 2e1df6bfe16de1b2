"""The audit log page shows any row's detail without crashing, and shows it in Chinese
(issue 17 item 1, issue 16 item 7)."""

import pytest
from django.urls import reverse

from shuangying.audit.display import detail_rows, type_label, value_text
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.testing import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client, personas):
    login(client, personas["auditor"])
    return client


@pytest.fixture
def batch_row(personas):
    # What every offline batch upload writes: a detail key that is also a dict method name.
    return record_event(
        user=personas["grid1a"],
        action=AuditAction.CREATE,
        object_type="checkin",
        summary="离线批量登记",
        detail={"items": 3, "keys": "k", "values": [1, 2]},
    )


@pytest.mark.parametrize("params", [{}, {"object_type": "checkin"}, {"action": "create"}])
def test_a_batch_row_does_not_break_the_page(auditor_client, batch_row, params):
    response = auditor_client.get(reverse("audit:event_list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "离线批量登记" in html
    assert "<dt>条数</dt>" in html
    assert "扫码登记" in html


def test_object_types_and_detail_keys_are_chinese(auditor_client, personas):
    record_event(
        user=personas["admin"],
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=15,
        summary="修改用户",
        detail={"admit_outsiders": False, "opens_at": "08:00"},
    )
    for object_type in ("dispatch_order", "staff_survey", "api_token"):
        record_event(user=personas["admin"], action=AuditAction.CREATE, object_type=object_type)
    html = auditor_client.get(reverse("audit:event_list")).content.decode()
    assert "用户 #15" in html
    assert "user #15" not in html
    assert "<dt>允许外来人员进入</dt><dd" in html
    assert "admit_outsiders" not in html and "opens_at" not in html
    assert "False" not in html
    for english, chinese in (
        ("dispatch_order", "调用指令"),
        ("staff_survey", "单位人员摸底"),
        ("api_token", "API令牌"),
    ):
        assert f">{english}<" not in html
        assert chinese in html


def test_object_type_filter_is_a_choice_of_chinese_labels(auditor_client, batch_row):
    html = auditor_client.get(reverse("audit:event_list")).content.decode()
    assert '<select name="object_type"' in html
    assert '<option value="checkin">扫码登记</option>' in html
    response = auditor_client.get(reverse("audit:event_list"), {"object_type": "nonsense"})
    assert response.status_code == 200
    assert "对象类型：请从列表中选择。" in response.content.decode()


def test_detail_rendering():
    assert detail_rows({"items": 3}) == [("条数", "3")]
    assert detail_rows(["a"]) == [("详情", "a")]
    assert detail_rows(None) == []
    assert value_text({"before": {"admit_outsiders": True}}) == "修改前：允许外来人员进入：是"
    assert value_text([]) == "—"
    assert type_label("dispatch_order") == "调用指令"
    assert type_label("no_such_type") == "no_such_type"
