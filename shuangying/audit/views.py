from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import ListView

from .models import AuditEvent


class AuditEventListView(PermissionRequiredMixin, ListView):
    """The auditor's page (M2). Only the auditor role holds audit.view_auditevent."""

    permission_required = "audit.view_auditevent"
    model = AuditEvent
    template_name = "audit/event_list.html"
    paginate_by = 50
