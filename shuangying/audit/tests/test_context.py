import pytest

from shuangying.audit.context import audit_context
from shuangying.audit.models import AuditEvent
from shuangying.audit.services import record_event

pytestmark = pytest.mark.django_db


def test_record_event_reads_the_context_set_for_a_job(django_user_model):
    user = django_user_model.objects.create_user(username="worker", password="x" * 12)
    with audit_context(user=user, ip_address="192.0.2.1", path="task:import"):
        event = record_event(action="create", object_type="x", summary="s")
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.username, event.ip_address, event.path) == ("worker", "192.0.2.1", "task:import")


def test_middleware_sets_the_context_for_a_request(client, django_user_model, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    user = django_user_model.objects.create_user(username="u1", password="x" * 12)
    client.force_login(user)
    from shuangying.audit.context import current

    seen = {}

    def view(request):
        from django.http import HttpResponse

        ctx = current()
        seen.update(ip=ctx.ip_address, user=ctx.actor.username, path=ctx.path)
        return HttpResponse("ok")

    from django.test import RequestFactory

    from shuangying.audit.context import AuditContextMiddleware

    request = RequestFactory().get("/x/?q=secret", HTTP_X_FORWARDED_FOR="198.51.100.4")
    request.user = user
    AuditContextMiddleware(view)(request)
    assert seen == {"ip": "198.51.100.4", "user": "u1", "path": "/x/"}
    assert current().request is None  # reset after the request
