"""Separation of duties (三权分立): the accounts of security administrators and auditors change
only with a reason and another security administrator's approval."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shuangying.accounts import services
from shuangying.accounts.choices import ChangeKind, ChangeStatus
from shuangying.accounts.models import AccountChange, User
from shuangying.audit.models import AuditEvent
from shuangying.testing import login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def security2(personas):
    return make_user("security2", "security_admin")


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_system_admin_cannot_disable_the_auditor_without_a_reason(client, personas):
    auditor = personas["auditor"]
    login(client, personas["admin"])
    url = reverse("accounts:user_activation", args=[auditor.pk])
    response = client.post(url, {"active": "0"}, follow=True)
    auditor.refresh_from_db()
    assert auditor.is_active
    assert "原因" in messages_of(response)
    assert not AccountChange.objects.exists()


@pytest.mark.parametrize("target", ["auditor", "security"])
def test_system_admin_disabling_a_watcher_becomes_a_pending_request(client, personas, target):
    account = personas[target]
    login(client, personas["admin"])
    url = reverse("accounts:user_activation", args=[account.pk])
    response = client.post(url, {"active": "0", "reason": "岗位调整"}, follow=True)
    account.refresh_from_db()
    assert account.is_active
    assert "审批" in messages_of(response)
    change = AccountChange.objects.get()
    assert change.target == account and change.kind == ChangeKind.DEACTIVATE
    assert change.requested_by == personas["admin"] and change.status == ChangeStatus.PENDING
    event = AuditEvent.objects.get(object_type="account_change", object_id=str(change.pk))
    assert event.user_id == personas["admin"].pk and event.reason == "岗位调整"


def test_security_admin_approves_and_the_change_applies_audited(client, personas):
    auditor = personas["auditor"]
    change = services.deactivate_user(actor=personas["admin"], user=auditor, reason="离岗")
    assert isinstance(change, AccountChange)

    login(client, personas["security"])
    assert change.summary in client.get(reverse("accounts:change_list")).content.decode()
    response = client.post(
        reverse("accounts:change_decide", args=[change.pk]),
        {"decision": "approve", "note": "已核实"},
        follow=True,
    )
    assert "已批准" in messages_of(response)
    auditor.refresh_from_db()
    assert not auditor.is_active
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.decided_by == personas["security"]
    applied = AuditEvent.objects.get(
        object_type="user", object_id=str(auditor.pk), summary__startswith="停用用户"
    )
    assert applied.user_id == personas["security"].pk and applied.reason == "离岗"
    assert applied.detail["requested_by"] == "admin"


def test_rejected_request_changes_nothing(personas):
    auditor = personas["auditor"]
    change = services.deactivate_user(actor=personas["admin"], user=auditor, reason="离岗")
    services.reject_change(actor=personas["security"], change=change, note="理由不充分")
    auditor.refresh_from_db()
    assert auditor.is_active
    with pytest.raises(ValidationError):
        services.approve_change(actor=personas["security"], change=change)


def test_a_security_admin_cannot_change_a_colleague_alone(personas, security2):
    security = personas["security"]
    change = services.set_user_roles(
        actor=security, user=security2, roles=["grid_worker"], reason="调岗"
    )
    assert isinstance(change, AccountChange)
    assert security2.role_names() == ["security_admin"]
    with pytest.raises(PermissionDenied):
        services.approve_change(actor=security, change=change)
    # The colleague it concerns cannot approve it either.
    with pytest.raises(PermissionDenied):
        services.approve_change(actor=security2, change=change)
    third = make_user("security3", "security_admin")
    services.approve_change(actor=third, change=change)
    security2.refresh_from_db()
    assert security2.role_names() == ["grid_worker"]


def test_every_kind_of_change_to_a_protected_account_waits(personas, county, security2):
    admin, auditor = personas["admin"], personas["auditor"]
    before_stamp = auditor.security_stamp
    outcomes = [
        services.update_user(
            actor=admin, user=auditor, full_name="新名字", department=None, reason="更名"
        ),
        services.set_user_divisions(
            actor=admin, user=auditor, divisions=[county.town1], reason="分管一镇"
        ),
        services.reset_user_totp(actor=personas["security"], user=auditor, reason="手机丢失"),
    ]
    assert all(isinstance(o, AccountChange) for o in outcomes)
    auditor.refresh_from_db()
    assert auditor.full_name == "auditor" and not auditor.divisions.exists()
    assert auditor.security_stamp == before_stamp

    for change in outcomes:
        services.approve_change(actor=security2, change=change)
    auditor.refresh_from_db()
    assert auditor.full_name == "新名字"
    assert list(auditor.divisions.all()) == [county.town1]
    assert auditor.security_stamp != before_stamp


def test_reactivating_a_protected_account_also_waits(personas):
    auditor = personas["auditor"]
    User.objects.filter(pk=auditor.pk).update(is_active=False)
    auditor.refresh_from_db()
    change = services.reactivate_user(actor=personas["admin"], user=auditor, reason="返岗")
    assert isinstance(change, AccountChange)
    auditor.refresh_from_db()
    assert not auditor.is_active


def test_one_pending_request_of_a_kind_per_account(personas):
    admin, auditor = personas["admin"], personas["auditor"]
    services.deactivate_user(actor=admin, user=auditor, reason="离岗")
    with pytest.raises(ValidationError, match="待审批"):
        services.deactivate_user(actor=admin, user=auditor, reason="再次")


def test_approval_refused_when_the_requester_lost_the_right(personas):
    admin, auditor = personas["admin"], personas["auditor"]
    change = services.deactivate_user(actor=admin, user=auditor, reason="离岗")
    User.objects.filter(pk=admin.pk).update(is_active=False)
    with pytest.raises(ValidationError, match="申请人"):
        services.approve_change(actor=personas["security"], change=change)
    auditor.refresh_from_db()
    assert auditor.is_active


def test_ordinary_accounts_change_at_once(personas):
    grid = personas["grid1a"]
    outcome = services.deactivate_user(actor=personas["admin"], user=grid)
    assert outcome == grid and not grid.is_active
    assert not AccountChange.objects.exists()


def test_the_database_refuses_self_approval(personas):
    change = services.deactivate_user(
        actor=personas["admin"], user=personas["auditor"], reason="离岗"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountChange.objects.filter(pk=change.pk).update(
            status=ChangeStatus.APPROVED, decided_by=personas["admin"], decided_at=timezone.now()
        )


def test_only_the_security_administrator_sees_the_approvals(client, personas):
    login(client, personas["admin"])
    assert client.get(reverse("accounts:change_list")).status_code == 403
    login(client, personas["auditor"])
    assert client.get(reverse("accounts:change_list")).status_code == 403


def test_system_admin_edit_form_asks_for_a_reason_for_a_watcher(client, personas, county):
    auditor = personas["auditor"]
    login(client, personas["admin"])
    url = reverse("accounts:user_update", args=[auditor.pk])
    response = client.post(url, {"full_name": "改名", "divisions": [county.town1.pk]})
    assert response.status_code == 400
    assert "须填写原因" in response.content.decode()
    response = client.post(
        url, {"full_name": "改名", "divisions": [county.town1.pk], "reason": "调整"}, follow=True
    )
    assert "审批" in messages_of(response)
    assert AccountChange.objects.filter(target=auditor, status="pending").count() == 2
    auditor.refresh_from_db()
    assert auditor.full_name == "auditor"


def test_user_detail_shows_the_pending_request(client, personas):
    change = services.deactivate_user(
        actor=personas["admin"], user=personas["auditor"], reason="离岗"
    )
    login(client, personas["admin"])
    html = client.get(reverse("accounts:user_detail", args=[personas["auditor"].pk])).content
    assert change.summary in html.decode() and "待审批" in html.decode()


def test_decide_with_junk_input_is_a_message_not_a_500(client, personas):
    change = services.deactivate_user(
        actor=personas["admin"], user=personas["auditor"], reason="离岗"
    )
    login(client, personas["security"])
    url = reverse("accounts:change_decide", args=[change.pk])
    assert client.post(url, {"decision": "maybe"}).status_code == 302
    # A NUL is refused at the edge (guards.py) before the form: 400, nothing decided.
    assert client.post(url, {"decision": "approve", "note": "a\x00b"}).status_code == 400
    assert client.post(reverse("accounts:change_decide", args=[99999]), {}).status_code == 404
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
