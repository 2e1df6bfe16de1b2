from collections import Counter

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404
from shuangying.people.models import Household, Person

from .forms import AssignmentForm
from .models import Assignment, Division
from .services import assign_responsibility, assignments_for


def subtree_person_counts(user, parent: Division | None, children) -> dict[int, int]:
    """People per child subtree in one grouped query (counted by division, rolled up by path)."""
    persons = Person.objects.restrict(user)
    if parent is not None:
        persons = persons.filter(division__path__startswith=parent.path)
    per_path = Counter(
        dict(persons.values_list("division__path").annotate(n=Count("id")).order_by())
    )
    counts = {}
    for child in children:
        counts[child.pk] = sum(n for path, n in per_path.items() if path.startswith(child.path))
    return counts


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
        counts = subtree_person_counts(user, None, roots)
        ctx["roots"] = [(d, counts.get(d.pk, 0)) for d in roots]
        return ctx


def division_in_reach(user, pk) -> Division:
    """A division inside the user's own subtrees (ancestors are listed for orientation only)."""
    division = get_restricted_or_404(Division, user, pk=pk)
    paths = user.division_paths()
    if paths is not None and not any(division.path.startswith(p) for p in paths):
        raise Http404
    return division


class DivisionDetailView(PermissionRequiredMixin, TemplateView):
    """One division: breadcrumbs, children with people counts, who is responsible (A3)."""

    permission_required = "divisions.view_division"
    template_name = "divisions/division_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        division = division_in_reach(user, kwargs["pk"])
        children = list(division.children.order_by("path"))
        counts = subtree_person_counts(user, division, children)
        ctx.update(
            division=division,
            ancestors=division.ancestors(),
            children=[(c, counts.get(c.pk, 0)) for c in children],
            person_count=Person.objects.restrict(user)
            .filter(division__path__startswith=division.path)
            .count(),
            household_count=Household.objects.restrict(user)
            .filter(division__path__startswith=division.path)
            .count(),
            assignments=assignments_for(division),
            workers=division.users.order_by("username"),
            assignment_form=AssignmentForm() if user.has_perm("divisions.add_assignment") else None,
        )
        return ctx


class AssignmentCreateView(PermissionRequiredMixin, View):
    """Add a responsibility assignment to a division (A3)."""

    permission_required = "divisions.add_assignment"

    def post(self, request, pk):
        division = division_in_reach(request.user, pk)
        form = AssignmentForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "divisions/assignment_form.html",
                {"division": division, "form": form},
                status=400,
            )
        assign_responsibility(
            actor=request.user, request=request, target=division, **form.cleaned_data
        )
        messages.success(request, "已添加包联责任")
        return redirect(division)


class LeaderAssignmentsView(PermissionRequiredMixin, TemplateView):
    """What one leader answers for (A3)."""

    permission_required = "divisions.view_assignment"
    template_name = "divisions/leader_assignments.html"

    def get_context_data(self, **kwargs):
        from shuangying.accounts.models import User

        ctx = super().get_context_data(**kwargs)
        leader = get_object_or_404(User, pk=kwargs["pk"], is_active=True)
        ctx["leader"] = leader
        ctx["assignments"] = (
            Assignment.objects.filter(leader=leader).select_related("content_type").order_by("id")
        )
        return ctx
