from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import WHOLE_TREE, get_restricted_or_404

from .counts import subtree_counts, subtree_total
from .forms import AssignmentForm
from .models import Assignment, Division
from .services import assign_responsibility, assignments_for


class DivisionTreeView(PermissionRequiredMixin, TemplateView):
    """The top of the user's part of the tree with people per node (A1)."""

    permission_required = "divisions.view_division"
    template_name = "divisions/division_tree.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        roots = list(user.divisions.order_by("path"))
        if user.division_paths() is None:
            roots = list(Division.objects.filter(parent__isnull=True))
        counts = subtree_counts("persons", user, roots)
        ctx["roots"] = [(d, counts.get(d.pk, 0)) for d in roots]
        return ctx


def division_page_object(user, pk, action: str = "view") -> Division:
    """A division of the user's own subtrees (the ancestors ``restrict`` adds for breadcrumbs
    have no page for them): 404 outside, 403 when ``action`` is not theirs."""
    return get_restricted_or_404(Division.objects.in_jurisdiction(user), user, action, pk=pk)


class DivisionDetailView(PermissionRequiredMixin, TemplateView):
    """One division: breadcrumbs, children with people counts, who is responsible (A3)."""

    permission_required = "divisions.view_division"
    template_name = "divisions/division_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        division = division_page_object(user, kwargs["pk"])
        children = list(division.children.order_by("path"))
        counts = subtree_counts("persons", user, children, parent=division)
        ctx.update(
            division=division,
            ancestors=division.ancestors(),
            children=[(c, counts.get(c.pk, 0)) for c in children],
            person_count=subtree_total("persons", user, division),
            household_count=subtree_total("households", user, division),
            assignments=assignments_for(division),
            workers=division.users.order_by("username"),
            assignment_form=AssignmentForm() if user.has_perm("divisions.add_assignment") else None,
        )
        return ctx


class AssignmentCreateView(PermissionRequiredMixin, View):
    """Add a responsibility assignment to a division (A3)."""

    permission_required = "divisions.add_assignment"

    def post(self, request, pk):
        division = division_page_object(request.user, pk)
        form = AssignmentForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "divisions/assignment_form.html",
                {"division": division, "form": form},
                status=400,
            )
        assign_responsibility(actor=request.user, target=division, **form.cleaned_data)
        messages.success(request, "已添加包联责任")
        return redirect(division)


def leaders_in_reach(user):
    """The accounts whose responsibilities a user may look at: those holding a division in the
    user's subtrees, or answering for one (A3). Outside them an account does not exist here."""
    users = get_user_model()._default_manager.filter(is_active=True)
    if Division.objects.jurisdiction_q(user) == WHOLE_TREE:
        return users
    reach = Division.objects.in_jurisdiction(user)
    answering = Assignment.objects.filter(
        content_type=ContentType.objects.get_for_model(Division),
        object_id__in=reach.values("pk"),
        leader__isnull=False,
    ).values("leader")
    return users.filter(Q(pk__in=reach.values("users")) | Q(pk__in=answering))


class LeaderAssignmentsView(PermissionRequiredMixin, TemplateView):
    """What one leader answers for (A3), within the viewer's jurisdiction."""

    permission_required = "divisions.view_assignment"
    template_name = "divisions/leader_assignments.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        leader = leaders_in_reach(user).filter(pk=kwargs["pk"]).first()
        if leader is None:
            raise Http404
        ctx["leader"] = leader
        ctx["assignments"] = (
            Assignment.objects.filter(
                leader=leader,
                content_type=ContentType.objects.get_for_model(Division),
                object_id__in=Division.objects.in_jurisdiction(user).values("pk"),
            )
            .select_related("content_type")
            .order_by("id")
        )
        return ctx
