import pytest

from shuangying.audit.logging import object_type_label, register_object_type
from shuangying.audit.models import AuditEvent


def test_registered_labels():
    register_object_type("test_report", "测试报表")
    assert object_type_label("test_report") == "测试报表"
    assert object_type_label("no_such_type") == "no_such_type"


@pytest.mark.django_db
def test_log_action_writes_the_object_type_and_id():
    from django.db import models

    from shuangying.audit.logging import Audited

    class Fake(Audited):
        audit_type = "fake_thing"
        pk = 42
        _meta = type("M", (), {"model_name": "fake"})

    event = Fake().log_action("update", summary="改了")
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.object_type, event.object_id, event.summary) == ("fake_thing", "42", "改了")
    assert models  # the mixin carries no fields
