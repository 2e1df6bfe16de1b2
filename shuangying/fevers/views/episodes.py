"""The fever desk (the CDC's view of every open episode by step and channel), the township's
and grid worker's own list (overdue first), its Excel export, and one episode with the form
for its next step."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import can, get_restricted_or_404
from shuangying.audit.exports import ledger_response
from shuangying.audit.models import AuditAction
from shuangying.core.excel import Column
from shuangying.pages import apply_errors, audited_page

from .. import services
from ..choices import Channel, Step
from ..forms import DeskFilter, StepForm
from ..models import FeverEpisode
from ..querysets import due_at
from ..summary import overdue_by_township


def _episodes(request):
    return FeverEpisode.objects.restrict(request.user).for_list().with_due()


class EpisodeListView(PermissionRequiredMixin, TemplateView):
    """Open episodes in the user's jurisdiction, overdue first, then by time found; the desk
    adds the counts by step and channel and the overdue per township."""

    permission_required = "fevers.view_feverepisode"
    template_name = "fevers/episode_list.html"
    desk = False

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filters = DeskFilter(self.request.GET or None)
        qs = filters.apply(_episodes(self.request)).order_by("-is_overdue", "found_at", "pk")
        page, query = audited_page(
            self.request,
            qs,
            object_type="fever_episode",
            title="发热监测台" if self.desk else "发热人员",
            detail={"filters": filters.filters()},
        )
        ctx.update(page=page, query=query, filters=filters, desk=self.desk)
        if self.desk:
            open_ = FeverEpisode.objects.restrict(self.request.user).open()
            by_step = dict(open_.values_list("status").annotate(n=Count("pk")).order_by())
            by_channel = dict(open_.values_list("channel").annotate(n=Count("pk")).order_by())
            late = dict(open_.overdue().values_list("status").annotate(n=Count("pk")).order_by())
            ctx.update(
                steps=[
                    (s.value, s.label, by_step.get(s.value, 0), late.get(s.value, 0))
                    for s in Step
                    if s != Step.CLOSED
                ],
                channels=[(c.value, c.label, by_channel.get(c.value, 0)) for c in Channel],
                townships=overdue_by_township(self.request.user),
            )
        return ctx


class EpisodeExportView(PermissionRequiredMixin, View):
    """The list as filtered, to Excel: names and document numbers masked, audited."""

    permission_required = "fevers.export_feverepisode"

    def get(self, request):
        filters = DeskFilter(request.GET or None)
        qs = filters.apply(_episodes(request)).order_by("found_at", "pk")
        local = timezone.localtime

        def when(value):
            return local(value).strftime("%Y-%m-%d %H:%M") if value else ""

        columns = [
            Column("姓名", 10),
            Column("证件号码", 22),
            Column("属地", 16),
            Column("首报渠道", 12),
            Column("体温", 6),
            Column("环节", 8),
            Column("发现时间", 17),
            Column("登记时间", 17),
            Column("隔离时间", 17),
            Column("采样时间", 17),
            Column("结果时间", 17),
            Column("超时", 6),
        ]
        rows = (
            [
                e.person.name[:1] + "*" * (len(e.person.name) - 1),
                e.person.id_number_masked,
                e.division.name,
                e.get_channel_display(),
                str(e.temperature or ""),
                e.get_status_display(),
                when(e.found_at),
                when(e.registered_at),
                when(e.isolated_at),
                when(e.sampled_at),
                when(e.resulted_at),
                "是" if e.is_overdue else "",
            ]
            for e in qs.iterator(chunk_size=2000)
        )
        title = "发热人员"
        return ledger_response(
            request.user,
            title=title,
            columns=columns,
            rows=rows,
            object_type="fever_episode",
            filters=filters.filters(),
        )


class EpisodeDetailView(PermissionRequiredMixin, View):
    """One episode: its steps (who, when), its reports, and the form for the next step when
    the user's role may take it."""

    permission_required = "fevers.view_feverepisode"

    def context(self, episode, form=None):
        step = services.next_step(episode.status)
        may = (
            step is not None
            and services.may_take(self.request.user, step)
            and can(self.request.user, episode, "change")
        )
        if may and form is None and step is not None:
            form = StepForm(step=step)
        timeline = [
            (
                Step(s).label,
                getattr(episode, f"{s}_at"),
                getattr(episode, f"{s}_by"),
            )
            for s in Step
        ]
        return {
            "episode": episode,
            "timeline": timeline,
            "reports": episode.reports.select_related("place").order_by("reported_at", "pk"),
            "next_step": step,
            "next_label": Step(step).label if step else "",
            "form": form if may else None,
            "due": due_at(episode.found_at, episode.status),
        }

    def episode(self, request, pk, action="view"):
        qs = _episodes(request).select_related(*(f"{s}_by" for s in Step), "person")
        return get_restricted_or_404(qs, request.user, action, pk=pk)

    def get(self, request, pk):
        episode = self.episode(request, pk)
        episode.log_action(AuditAction.VIEW, user=request.user, summary=f"查看发热记录 {pk}")
        return render(request, "fevers/episode_detail.html", self.context(episode))

    def post(self, request, pk):
        episode = self.episode(request, pk, "change")
        step = services.next_step(episode.status)
        if step is None:
            raise PermissionDenied
        form = StepForm(request.POST, step=step)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.advance_episode(
                    actor=request.user, episode=episode, step=step, at=data.pop("at"), **data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied:
                raise
            else:
                messages.success(request, f"已登记“{Step(step).label}”")
                return redirect(episode)
        return render(
            request, "fevers/episode_detail.html", self.context(episode, form), status=400
        )
