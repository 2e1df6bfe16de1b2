from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from shuangying.core.paging import paginate

from .display import detail_rows, type_label
from .filters import AuditEventFilter
from .models import AuditAction, AuditEvent
from .services import record_event


class AuditEventListView(PermissionRequiredMixin, TemplateView):
    """The auditor's page (M2): who did what, when, from where and why. Only the auditor role
    holds audit.view_auditevent (三权分立). Reading the log is itself audited."""

    permission_required = "audit.view_auditevent"
    template_name = "audit/event_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        request = self.request
        params = request.GET.copy()
        params.pop("page", None)
        form = AuditEventFilter(params or None)
        page = paginate(request, form.filter(AuditEvent.objects.all()))
        # Read the page before writing this visit's own row, so that row is not shown in it.
        page.object_list = list(page.object_list)
        detail = form.audit_detail()
        record_event(
            action=AuditAction.SEARCH if detail else AuditAction.LIST,
            object_type="audit_event",
            summary=f"审计日志 第{page.number}页，共{page.paginator.count}条",
            detail=detail,
        )
        sort_params = params.copy()
        sort_params.pop("sort", None)
        ctx.update(
            filter=form,
            sort_query=sort_params.urlencode(),
            sorted_ascending=form.is_bound
            and form.is_valid()
            and form.cleaned_data["sort"] == "at",
            page=page,
            query=params.urlencode(),
            # Pre-rendered: the template never looks anything up on a row's detail.
            rows=[(e, type_label(e.object_type), detail_rows(e.detail)) for e in page.object_list],
        )
        return ctx
