"""Pages for persons, households and the staff survey. Every read of personal data is
restricted by jurisdiction (``restrict`` / ``get_restricted_or_404``) and audited."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views import View
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404
from shuangying.audit.models import AuditAction
from shuangying.pages import PAGE_SIZES, apply_errors, audited_page

from .filters import identifier_hash, person_list_queryset
from .forms import PersonForm, RevealForm, StaffSurveyForm
from .identity import IdentityError
from .limits import RateLimited
from .models import Household, Person, StaffSurvey
from .reveals import reveal_person_fields
from .services import record_staff_survey, register_person, update_person


class PersonListView(PermissionRequiredMixin, TemplateView):
    """The people ledger: search, filters, sorting, pagination, export (B1).

    The search form posts; a full document number or phone is turned into its keyed hash and
    the page redirects to a URL that carries only the hash (never the plaintext)."""

    permission_required = "people.view_person"
    template_name = "people/person_list.html"

    def post(self, request):
        return redirect(f"{reverse('people:person_list')}?{safe_search_params(request.POST)}")

    def get(self, request, *args, **kwargs):
        if identifier_hash(request.GET.get("q", "")):
            return redirect(f"{reverse('people:person_list')}?{safe_search_params(request.GET)}")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        request = self.request
        form, qs = person_list_queryset(request.user, request.GET)
        detail = form.audit_detail()
        page, query = audited_page(
            request,
            qs.prefetch_related("tags"),
            object_type="person",
            title="人员台账",
            detail=detail,
            action=AuditAction.SEARCH if detail.get("q") else AuditAction.LIST,
        )
        ctx.update(filter=form, page=page, query=query, page_sizes=PAGE_SIZES)
        return ctx


def safe_search_params(data) -> str:
    """Query string for a search: the filters as given, a full identifier as its hash."""
    params = QueryDict(mutable=True)
    for key in ("q", "h", "division", "tag", "sex", "verified", "sort", "size"):
        value = (data.get(key) or "").strip()
        if value:
            params[key] = value
    found = identifier_hash(params.get("q", ""))
    if found:
        params.pop("q")
        params["h"] = found[0]
    return params.urlencode()


class PersonDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "people.view_person"
    template_name = "people/person_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        person = get_restricted_or_404(
            Person.objects.select_related("division", "household", "workplace_department"),
            self.request.user,
            pk=kwargs["pk"],
        )
        person.log_action(AuditAction.VIEW, summary=f"查看人员 {person.name}")
        ctx.update(
            person=person,
            tags=person.tags.all(),
            travel=person.travel_entries.all()[:20],
            reveal_form=RevealForm(),
            can_edit=Person.objects.restrict(self.request.user, "change")
            .filter(pk=person.pk)
            .exists(),
        )
        return ctx


class PersonRevealView(PermissionRequiredMixin, View):
    """Show the full document number and phone after a purpose and a reason are given
    (audited, limited per user). Nothing of the answer may be kept by a browser or proxy."""

    permission_required = "people.reveal_person"

    def post(self, request, pk):
        person = get_restricted_or_404(Person, request.user, pk=pk)
        form = RevealForm(request.POST)
        values, status = None, 400
        if form.is_valid():
            try:
                values = reveal_person_fields(
                    actor=request.user, person=person, **form.cleaned_data
                )
                status = 200
            except ValidationError as exc:
                apply_errors(form, exc)
            except RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
        response = render(
            request,
            "people/partials/reveal.html",
            {"person": person, "reveal_form": form, "values": values},
            status=status,
        )
        add_never_cache_headers(response)
        return response


class PersonFormMixin(PermissionRequiredMixin):
    template_name = "people/person_form.html"

    def render_form(self, form, person=None, status=200):
        return render(
            self.request, self.template_name, {"form": form, "person": person}, status=status
        )

    def apply_errors(self, form, exc):
        if isinstance(exc, IdentityError):
            form.add_error(
                "id_number"
                if "证件" in str(exc) or "身份证" in str(exc) or "出生" in str(exc)
                else "phone",
                str(exc),
            )
        elif isinstance(exc, RateLimited):
            form.add_error(None, exc.message)
        else:
            apply_errors(form, exc)


class PersonCreateView(PersonFormMixin, View):
    permission_required = "people.add_person"

    def get(self, request):
        initial = {
            "division": request.GET.get("division"),
            "household": request.GET.get("household"),
        }
        return self.render_form(PersonForm(user=request.user, initial=initial))

    def post(self, request):
        form = PersonForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = register_person(
                    actor=request.user,
                    name=data["name"],
                    document_type=data["document_type"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    sex=data["sex"],
                    division=data["division"],
                    household=data["household"],
                    relation_to_head=data["relation_to_head"],
                    address=data["address"],
                    workplace=data["workplace"],
                    tags=data["tags"],
                )
            except (IdentityError, ValidationError, PermissionDenied, RateLimited) as exc:
                self.apply_errors(form, exc)
            else:
                if result.created:
                    messages.success(request, f"已新增人员 {result.person.name}")
                else:
                    messages.warning(request, "该证件号码已登记，已为您打开已有记录（一人一档）。")
                return redirect(result.person)
        return self.render_form(form, status=400)


class PersonUpdateView(PersonFormMixin, View):
    permission_required = "people.change_person"

    def get_person(self):
        return get_restricted_or_404(Person, self.request.user, "change", pk=self.kwargs["pk"])

    def get(self, request, pk):
        person = self.get_person()
        initial = {
            "name": person.name,
            "sex": person.sex,
            "division": person.division_id,
            "household": person.household_id,
            "relation_to_head": person.relation_to_head,
            "address": person.address,
            "workplace": person.workplace,
            "tags": person.tags.all(),
        }
        return self.render_form(
            PersonForm(user=request.user, editing=True, initial=initial), person
        )

    def post(self, request, pk):
        person = self.get_person()
        form = PersonForm(request.POST, user=request.user, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                update_person(
                    actor=request.user,
                    person=person,
                    phone=data["phone"] or None,
                    name=data["name"],
                    sex=data["sex"] or person.sex,
                    division=data["division"],
                    household=data["household"],
                    relation_to_head=data["relation_to_head"],
                    address=data["address"],
                    workplace=data["workplace"],
                    tags=data["tags"],
                )
            except (IdentityError, ValidationError, PermissionDenied) as exc:
                self.apply_errors(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect(person)
        return self.render_form(form, person, status=400)


class HouseholdListView(PermissionRequiredMixin, TemplateView):
    """Household files (一户一档, B2) with member and returnee counts."""

    permission_required = "people.view_household"
    template_name = "people/household_list.html"

    def get_context_data(self, **kwargs):
        from django.db.models import Q

        ctx = super().get_context_data(**kwargs)
        qs = Household.objects.restrict(self.request.user).select_related("division")
        q = (self.request.GET.get("q") or "").strip()[:40]
        if q:
            qs = qs.filter(Q(address__contains=q) | Q(number__contains=q))
        qs = qs.annotate(
            member_count=Count("members", distinct=True),
            returnee_count=Count(
                "members", filter=Q(members__tags__code="returnee"), distinct=True
            ),
        ).order_by("division__path", "number")
        page, query = audited_page(
            self.request,
            qs,
            object_type="household",
            title="一户一档",
            detail={"q": q[:20]} if q else {},
        )
        ctx.update(page=page, q=q, query=query)
        return ctx


class HouseholdDetailView(PermissionRequiredMixin, TemplateView):
    """The household file; prints on one A4 page."""

    permission_required = "people.view_household"
    template_name = "people/household_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        household = get_restricted_or_404(
            Household.objects.select_related("division"), self.request.user, pk=kwargs["pk"]
        )
        members = (
            Person.objects.restrict(self.request.user)
            .filter(household=household)
            .prefetch_related(Prefetch("tags"), "travel_entries")
            .order_by("relation_to_head", "birth_date")
        )
        head_first = sorted(
            members, key=lambda p: (p.relation_to_head != "head", p.birth_date or date.min)
        )
        household.log_action(AuditAction.VIEW, summary=f"查看户档 {household.number}")
        ctx.update(
            household=household,
            members=head_first,
            ancestors=household.division.ancestors(),
            now_user=self.request.user,
        )
        return ctx


class StaffSurveyListView(PermissionRequiredMixin, TemplateView):
    """A department's staff survey ledger (B6): whereabouts and health on the first day back."""

    permission_required = "people.view_staffsurvey"
    template_name = "people/staff_survey_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        qs = StaffSurvey.objects.restrict(user).select_related("person", "department")
        day = parse_day(self.request.GET.get("date"))
        if day:
            qs = qs.filter(survey_date=day)
        page, query = audited_page(
            self.request,
            qs.order_by("-survey_date", "person__name"),
            object_type="staff_survey",
            title="单位人员摸底",
        )
        can_add = user.has_perm("people.add_staffsurvey") and bool(user.department_id)
        ctx.update(page=page, query=query, day=day or "", can_add=can_add)
        return ctx


def parse_day(value):
    from django.utils.dateparse import parse_date

    try:
        return parse_date(value or "")
    except ValueError:
        return None


class StaffSurveyCreateView(PermissionRequiredMixin, View):
    permission_required = "people.add_staffsurvey"
    template_name = "people/staff_survey_form.html"

    def get(self, request):
        from django.utils import timezone

        form = StaffSurveyForm(user=request.user, initial={"survey_date": timezone.localdate()})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = StaffSurveyForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                record_staff_survey(actor=request.user, **form.cleaned_data)
            except PermissionDenied:
                form.add_error("person", "只能登记本部门人员")
            else:
                messages.success(request, "已登记")
                return redirect("people:staff_survey_list")
        return render(request, self.template_name, {"form": form}, status=400)
