"""Account administration pages and services: what each administrator can and cannot do."""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangying.accounts import services
from shuangying.accounts.models import User
from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.testing import login, make_user

from .helpers import password_login

pytestmark = pytest.mark.django_db

STRONG = "Spring-Rice-Field-2020"


# --- system administrator ------------------------------------------------------------------


def test_user_list_search_filter_and_pagination(client, personas):
    for i in range(55):
        User.objects.create_user(username=f"worker{i:02d}", full_name=f"工作人员{i}")
    login(client, personas["admin"])
    url = reverse("accounts:user_list")
    html = client.get(url).content.decode()
    assert "共 66 个账户" in html and "第 1 / 2 页" in html
    html = client.get(url, {"q": "工作人员1"}).content.decode()
    assert "worker10" in html and "worker20" not in html
    html = client.get(url, {"role": "grid_worker"}).content.decode()
    assert "grid1a" in html and "worker01" not in html and "共 3 个账户" in html
    html = client.get(url, {"page": 2}).content.decode()
    assert "第 2 / 2 页" in html
    # Junk input never breaks the page.
    for params in ({"page": "abc"}, {"role": "emperor"}, {"active": "maybe"}, {"q": "x" * 500}):
        assert client.get(url, params).status_code == 200


def test_user_list_query_count_does_not_grow_with_rows(client, personas, county):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, personas["admin"])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:user_list")).status_code == 200
        return len(ctx)

    few = queries()
    for i in range(30):
        make_user(f"w{i}", "grid_worker", [county.grid1a])
    assert queries() == few


def test_admin_creates_a_user_without_roles(client, personas, county):
    login(client, personas["admin"])
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "newgrid",
            "full_name": "新网格员",
            "department": county.health.pk,
            "divisions": [county.grid1a.pk],
            "password1": STRONG,
            "password2": STRONG,
            # Attempts to smuggle privileges in are ignored.
            "is_superuser": "on",
            "is_staff": "on",
            "groups": ["auditor"],
            "roles": ["auditor"],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newgrid")
    assert not user.is_superuser and not user.is_staff
    assert user.role_names() == []
    assert list(user.divisions.all()) == [county.grid1a]
    assert user.check_password(STRONG)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="user")
    assert event.user_id == personas["admin"].pk and STRONG not in str(event.detail)


def test_create_user_with_weak_password_or_taken_name_is_refused_in_chinese(client, personas):
    login(client, personas["admin"])
    url = reverse("accounts:user_create")
    response = client.post(url, {"username": "x2", "password1": "abc", "password2": "abc"})
    assert response.status_code == 400
    assert "密码太短" in response.content.decode()
    response = client.post(url, {"username": "GRID1A", "password1": STRONG, "password2": STRONG})
    assert response.status_code == 400
    assert not User.objects.filter(username="GRID1A").exists()
    response = client.post(url, {"username": "", "password1": "", "password2": ""})
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()


def test_admin_edits_name_department_and_divisions(client, personas, county):
    login(client, personas["admin"])
    target = personas["grid1a"]
    response = client.post(
        reverse("accounts:user_update", args=[target.pk]),
        {"full_name": "张网格", "department": county.health.pk, "divisions": [county.grid1b.pk]},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.full_name == "张网格" and target.department == county.health
    assert list(target.divisions.all()) == [county.grid1b]
    summaries = set(AuditEvent.objects.values_list("summary", flat=True))
    assert "调整用户 grid1a 的管辖区划" in summaries and "修改用户 grid1a 的资料" in summaries


def test_update_with_bad_input_is_a_400_not_a_500(client, personas):
    login(client, personas["admin"])
    url = reverse("accounts:user_update", args=[personas["grid1a"].pk])
    response = client.post(url, {"full_name": "x" * 50, "department": "999", "divisions": ["abc"]})
    assert response.status_code == 400
    assert client.get(reverse("accounts:user_update", args=[999999])).status_code == 404


def test_admin_deactivates_and_reactivates(client, personas):
    login(client, personas["admin"])
    target = personas["grid1a"]
    url = reverse("accounts:user_activation", args=[target.pk])
    client.post(url, {"active": "0", "reason": "离职"})
    target.refresh_from_db()
    assert not target.is_active
    event = AuditEvent.objects.get(summary="停用用户 grid1a")
    assert event.reason == "离职"
    client.post(url, {"active": "1"})
    target.refresh_from_db()
    assert target.is_active


def test_admin_cannot_deactivate_self(client, personas):
    login(client, personas["admin"])
    response = client.post(
        reverse("accounts:user_activation", args=[personas["admin"].pk]),
        {"active": "0"},
        follow=True,
    )
    assert "不能停用自己的账户" in response.content.decode()
    personas["admin"].refresh_from_db()
    assert personas["admin"].is_active


def test_admin_cannot_assign_roles_even_to_self(client, personas):
    admin = personas["admin"]
    login(client, admin)
    response = client.post(
        reverse("accounts:user_roles", args=[admin.pk]), {"roles": ["auditor"], "reason": "x"}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.set_user_roles(actor=admin, user=admin, roles=["system_admin", "auditor"])
    with pytest.raises(PermissionDenied):
        services.set_user_roles(actor=admin, user=personas["grid1a"], roles=["auditor"])
    assert admin.role_names() == ["system_admin"]


def test_admin_cannot_touch_a_superuser(client, personas):
    root = User.objects.create_superuser(username="root", password=STRONG)
    login(client, personas["admin"])
    assert client.get(reverse("accounts:user_update", args=[root.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.deactivate_user(actor=personas["admin"], user=root)
    with pytest.raises(PermissionDenied):
        services.set_user_divisions(actor=personas["admin"], user=root, divisions=[])


def test_no_form_or_service_makes_a_superuser(personas):
    user = services.create_user(
        actor=personas["admin"], username="plain", password=STRONG, full_name="普通"
    )
    assert not user.is_superuser and not user.is_staff


# --- security administrator ----------------------------------------------------------------


def test_security_admin_assigns_roles(client, personas):
    login(client, personas["security"])
    target = personas["grid1a"]
    response = client.post(
        reverse("accounts:user_roles", args=[target.pk]),
        {"roles": ["grid_worker", "checkpoint_staff"], "reason": "兼任卡口值守"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=target.pk).role_names() == ["checkpoint_staff", "grid_worker"]
    event = AuditEvent.objects.get(action=AuditAction.SECURITY, object_id=str(target.pk))
    assert event.reason == "兼任卡口值守"
    assert event.detail == {"before": ["网格员"], "after": ["卡口值守人员", "网格员"]}


@pytest.mark.parametrize(
    "roles",
    [
        ["system_admin", "auditor"],
        ["security_admin", "auditor"],
        ["system_admin", "security_admin"],
    ],
)
def test_no_one_holds_two_separated_roles(client, personas, roles):
    login(client, personas["security"])
    response = client.post(
        reverse("accounts:user_roles", args=[personas["grid1a"].pk]),
        {"roles": roles, "reason": "x"},
    )
    assert response.status_code == 400
    assert "三权分立" in response.content.decode()
    assert User.objects.get(pk=personas["grid1a"].pk).role_names() == ["grid_worker"]


def test_security_admin_cannot_change_own_roles(client, personas):
    security = personas["security"]
    login(client, security)
    response = client.post(
        reverse("accounts:user_roles", args=[security.pk]), {"roles": ["auditor"], "reason": "x"}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.set_user_roles(actor=security, user=security, roles=["auditor"])


def test_role_change_needs_a_reason_and_known_roles(client, personas):
    login(client, personas["security"])
    url = reverse("accounts:user_roles", args=[personas["grid1a"].pk])
    response = client.post(url, {"roles": ["grid_worker"], "reason": ""})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    response = client.post(url, {"roles": ["emperor"], "reason": "x"})
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        services.set_user_roles(
            actor=personas["security"], user=personas["grid1a"], roles=["emperor"]
        )


def test_security_admin_cannot_edit_other_data(client, personas, county):
    security = personas["security"]
    login(client, security)
    target = personas["grid1a"]
    client.post(
        reverse("accounts:user_update", args=[target.pk]),
        {"full_name": "被改", "divisions": [county.county.pk]},
    )
    client.post(reverse("accounts:user_activation", args=[target.pk]), {"active": "0"})
    client.post(
        reverse("accounts:user_create"),
        {"username": "sneaky", "password1": STRONG, "password2": STRONG},
    )
    target.refresh_from_db()
    assert target.full_name == "grid1a" and target.is_active
    assert list(target.divisions.all()) == [county.grid1a]
    assert not User.objects.filter(username="sneaky").exists()
    for call in (
        lambda: services.update_user(actor=security, user=target, full_name="x", department=None),
        lambda: services.set_user_divisions(actor=security, user=target, divisions=[]),
        lambda: services.deactivate_user(actor=security, user=target),
        lambda: services.create_user(actor=security, username="s2", password=STRONG),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_security_admin_lifts_a_lockout(client, personas):
    for _ in range(5):
        password_login(client, "grid1a", "wrong-password-1", ip="10.9.9.9")
    assert password_login(client, "grid1a", ip="10.9.9.9").status_code == 429

    from django.test import Client

    security = Client()
    login(security, personas["security"])
    html = security.get(reverse("accounts:lockout_list")).content.decode()
    assert "grid1a" in html and "10.9.9.9" in html
    html = security.get(
        reverse("accounts:user_detail", args=[personas["grid1a"].pk])
    ).content.decode()
    assert "登录已锁定" in html
    response = security.post(
        reverse("accounts:user_unlock"), {"username": "grid1a", "from": "lockouts"}
    )
    assert response["Location"] == reverse("accounts:lockout_list")
    assert not AccessAttempt.objects.filter(username="grid1a").exists()
    assert AuditEvent.objects.filter(summary="解除 grid1a 的登录锁定").exists()
    assert password_login(client, "grid1a", ip="10.9.9.9").status_code == 302


def test_unlock_also_lifts_the_two_factor_lock(personas):
    from datetime import timedelta

    from django.utils import timezone

    target = personas["grid1a"]
    User.objects.filter(pk=target.pk).update(
        totp_locked_until=timezone.now() + timedelta(minutes=10), totp_failed_count=2
    )
    services.unlock_user(actor=personas["security"], username="grid1a")
    target.refresh_from_db()
    assert target.totp_locked_until is None and target.totp_failed_count == 0


def test_unlock_with_empty_username_is_a_message_not_a_500(client, personas):
    login(client, personas["security"])
    response = client.post(reverse("accounts:user_unlock"), {"username": ""}, follow=True)
    assert response.status_code == 200
    assert "请指定用户名" in response.content.decode()


# --- auditor -------------------------------------------------------------------------------


def test_auditor_changes_nothing(personas):
    auditor = personas["auditor"]
    target = personas["grid1a"]
    for call in (
        lambda: services.set_user_roles(actor=auditor, user=target, roles=[]),
        lambda: services.deactivate_user(actor=auditor, user=target),
        lambda: services.unlock_user(actor=auditor, username="grid1a"),
        lambda: services.reset_user_totp(actor=auditor, user=target),
        lambda: services.create_user(actor=auditor, username="a2", password=STRONG),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_profile_shows_own_account(client, personas, county):
    user = make_user("prof", "township_officer", [county.town1], full_name="王镇长")
    login(client, user)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "王镇长" in html and "乡镇（街道）工作人员" in html and "一镇" in html
    assert reverse("accounts:password_change") in html
    assert reverse("accounts:totp_setup") in html
