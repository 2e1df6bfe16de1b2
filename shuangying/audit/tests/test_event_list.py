"""The audit log page (M2): only the auditor opens it; filters, sorting, pagination."""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.audit.services import record_event
from shuangying.testing import login

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def event_at(when: datetime, **kwargs) -> AuditEvent:
    with mock.patch("django.utils.timezone.now", return_value=when):
        return record_event(**kwargs)


@pytest.fixture
def log(personas):
    p = personas
    return [
        event_at(
            datetime(2020, 2, 1, 9, 0, tzinfo=TZ),
            user=p["grid1a"],
            action=AuditAction.VIEW,
            object_type="person",
            object_id=11,
            summary="查看人员 张一甲",
        ),
        event_at(
            datetime(2020, 2, 3, 23, 59, tzinfo=TZ),
            user=p["county"],
            action=AuditAction.EXPORT,
            object_type="person",
            summary="导出人员台账 120人",
            reason="上报县指挥部",
        ),
        event_at(
            datetime(2020, 2, 4, 0, 1, tzinfo=TZ),
            user=p["admin"],
            action=AuditAction.CREATE,
            object_type="user",
            object_id=99,
            summary="新增用户 newgrid",
        ),
    ]


def page(client, **params):
    response = client.get(reverse("audit:event_list"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def auditor_client(client, personas):
    login(client, personas["auditor"])
    return client


def test_shows_who_what_when_where_why(auditor_client, log):
    html = page(auditor_client)
    for text in ("2020-02-03 23:59:00", "county", "导出", "导出人员台账 120人", "上报县指挥部"):
        assert text in html


@pytest.mark.parametrize(
    "params, present, absent",
    [
        ({"user": "grid1a"}, ["查看人员 张一甲"], ["导出人员台账", "新增用户 newgrid"]),
        ({"action": "export"}, ["导出人员台账"], ["查看人员 张一甲"]),
        ({"object_type": "user"}, ["新增用户 newgrid"], ["导出人员台账"]),
        ({"object_type": "person", "object_id": "11"}, ["查看人员 张一甲"], ["导出人员台账"]),
        ({"q": "张一甲"}, ["查看人员 张一甲"], ["导出人员台账"]),
        # Whole local days: 2020-02-03 23:59 is in, 2020-02-04 00:01 is out.
        (
            {"date_from": "2020-02-02", "date_to": "2020-02-03"},
            ["导出人员台账"],
            ["查看人员 张一甲", "新增用户 newgrid"],
        ),
        ({"date_from": "2020-02-04"}, ["新增用户 newgrid"], ["导出人员台账"]),
    ],
)
def test_filters(auditor_client, log, params, present, absent):
    html = page(auditor_client, **params)
    for text in present:
        assert text in html
    for text in absent:
        assert text not in html


def test_sorted_newest_first_and_reversible(auditor_client, log):
    html = page(auditor_client, object_type="person")
    assert html.index("导出人员台账") < html.index("查看人员 张一甲")
    html = page(auditor_client, object_type="person", sort="at")
    assert html.index("查看人员 张一甲") < html.index("导出人员台账")


@pytest.mark.parametrize(
    "params, message",
    [
        ({"date_from": "2020-02-05", "date_to": "2020-02-01"}, "结束日期不能早于开始日期"),
        ({"date_from": "2020-13-45"}, "请输入有效的日期"),
        ({"action": "hack"}, "请从列表中选择"),
        ({"sort": "password"}, "请从列表中选择"),
    ],
)
def test_bad_filters_show_chinese_errors_and_no_rows(auditor_client, log, params, message):
    html = page(auditor_client, **params)
    assert message in html
    assert "导出人员台账" not in html


def test_pagination(auditor_client, personas):
    for i in range(120):
        record_event(user=personas["grid1a"], action=AuditAction.LIST, summary=f"第{i}次")
    html = page(auditor_client, user="grid1a")
    assert "共 120 条" in html and "第 1 / 3 页" in html
    html = page(auditor_client, user="grid1a", page=3)
    assert "第 3 / 3 页" in html and "user=grid1a" in html
    assert auditor_client.get(reverse("audit:event_list"), {"page": "x"}).status_code == 200


def test_query_count_does_not_grow_with_rows(auditor_client, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            page(auditor_client)
        return len(ctx)

    record_event(user=personas["grid1a"], action=AuditAction.LIST, summary="一条")
    few = queries()
    for i in range(60):
        record_event(user=personas["grid1a"], action=AuditAction.LIST, summary=f"第{i}次")
    # The visit's own audit row is up to 3 of them: the shard's lock, its head, the insert.
    assert queries() == few <= 13


def test_reading_the_log_is_itself_audited(auditor_client, personas, log):
    page(auditor_client, q="张一甲")
    event = AuditEvent.objects.filter(object_type="audit_event").latest("id")
    assert event.user_id == personas["auditor"].pk
    assert event.action == AuditAction.SEARCH and event.detail == {"q": "张一甲"}


@pytest.mark.parametrize("persona", ["admin", "security", "county", "grid1a", "dept"])
def test_only_the_auditor_opens_it(client, personas, persona):
    login(client, personas[persona])
    assert client.get(reverse("audit:event_list")).status_code == 403


def test_nav_shows_the_audit_log_to_the_auditor_only(client, personas):
    login(client, personas["auditor"])
    assert reverse("audit:event_list") in page(client)
    login(client, personas["admin"])
    html = client.get(reverse("accounts:user_list")).content.decode()
    assert reverse("audit:event_list") not in html
