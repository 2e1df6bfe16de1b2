"""Pages of the check-ins: the public check-in at /c/<token>/ (C2, no login) and the staff's
trajectory and visitor pages (C5, restricted and audited)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from shuangying.access import get_restricted_or_404
from shuangying.audit.exports import xlsx_response
from shuangying.audit.models import AuditAction
from shuangying.core import ratelimit
from shuangying.core.masking import mask_name
from shuangying.pages import audited_page
from shuangying.people.identity import IdentityError, normalize_document, normalize_phone
from shuangying.people.models import Person
from shuangying.places.models import Place
from shuangying.places.tokens import PlaceTokenError, peek_token, resolve_token

from .exports import export_trajectory, export_visitors
from .forms import DeclarationForm, FirstCheckinForm, companion_forms, typed_companions
from .healthcode import current_code
from .models import CheckIn
from .services import (
    CodeUnusable,
    Identity,
    clean_declaration,
    companions_of,
    persons_for_refs,
    record_checkin,
)
from .trajectory import (
    TrajectoryRow,
    VisitorRow,
    WindowForm,
    passages_for,
    person_trajectory,
    place_visitors,
)

DEVICE_COOKIE = "sy_checkin"
DEVICE_SALT = "shuangying.checkins.device"
DEVICE_MAX_AGE = 180 * 24 * 60 * 60
RESULT_SALT = "shuangying.checkins.result"
RESULT_MAX_AGE = 60 * 60

TOKEN_PAGES = {
    "forged": (
        404,
        "场所码无效",
        "这个二维码不是本系统签发的场所码,或已损坏。请扫描场所张贴的正式场所码。",
    ),
    "revoked": (
        410,
        "场所码已作废",
        "这张场所码已经作废,场所已换发新码。请扫描现场张贴的新场所码。",
    ),
    "expired": (410, "场所码已过期", "这张场所码已过有效期。请联系场所负责人换发新码。"),
    "inactive": (410, "场所已停用", "该场所已停用扫码登记。"),
}


def device_refs(request) -> list[str]:
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default="", salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE
    )
    return [ref for ref in value.split(".") if ref][:6]


def remember(response, refs: list[str]) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        ".".join(dict.fromkeys(refs)),
        salt=DEVICE_SALT,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def public_error(request, status: int, title: str, message: str):
    return render(
        request,
        "checkins/public_error.html",
        {"title": title, "message": message},
        status=status,
    )


class PublicCheckinView(View):
    """Scan → (first time) the form, (later) one tap → the result page."""

    def dispatch(self, request, token):
        response = self._dispatch(request, token)
        if request.method != "POST":
            # Pages are never cached; a POST's answer (a redirect, a form with its errors) is
            # not cacheable anyway, and the scan's hot path skips the headers.
            add_never_cache_headers(response)
        return response

    def _dispatch(self, request, token):
        if not ratelimit.allow(request, "checkin", request.COOKIES.get(DEVICE_COOKIE, "")):
            return public_error(request, 429, "操作太频繁", "请稍等一分钟后再扫码登记。")
        try:
            # A POST checks its code where it writes (CodeUnusable); pages check it here.
            self.code = peek_token(token) if request.method == "POST" else resolve_token(token)
        except PlaceTokenError as exc:
            return public_error(request, *TOKEN_PAGES[exc.reason])
        self.place = self.code.place
        self.persons = [] if request.GET.get("new") else persons_for_refs(device_refs(request))
        return super().dispatch(request, token)

    def render_page(self, *, form=None, companions=None, status=200):
        ctx = {"place": self.place, "token": self.kwargs["token"]}
        if self.persons and not isinstance(form, FirstCheckinForm):
            ctx.update(
                template="tap",
                form=form or DeclarationForm(),
                me=self.persons[0],
                me_masked=mask_name(self.persons[0].name),
                others=[(p, mask_name(p.name)) for p in self.persons[1:]],
            )
            return render(self.request, "checkins/public_tap.html", ctx, status=status)
        ctx.update(form=form or FirstCheckinForm(), companions=companions or companion_forms())
        return render(self.request, "checkins/public_form.html", ctx, status=status)

    def get(self, request, token):
        return self.render_page()

    def post(self, request, token):
        if request.POST.get("mode") == "tap" and self.persons:
            return self.one_tap(request)
        self.persons = []
        form = FirstCheckinForm(request.POST)
        filled = typed_companions(request.POST)
        valid = form.is_valid() & all([c.is_valid() for c in filled])
        if valid:
            data = form.cleaned_data
            try:
                normalize_document(data["document_type"], data["id_number"])
            except IdentityError as exc:
                form.add_error("id_number", str(exc))
            try:
                normalize_phone(data["phone"])
            except IdentityError as exc:
                form.add_error("phone", str(exc))
            for c in filled:
                if c.filled:
                    try:
                        normalize_document(
                            c.cleaned_data["document_type"], c.cleaned_data["id_number"]
                        )
                    except IdentityError as exc:
                        c.add_error("id_number", str(exc))
        if not form.is_valid() or not all(c.is_valid() for c in filled):
            return self.render_page(form=form, companions=self.slots(filled), status=400)
        data = form.cleaned_data
        try:
            result = record_checkin(
                place=self.place,
                client_uuid=data["client_uuid"],
                identity=Identity(
                    data["name"], data["id_number"], data["document_type"], data["phone"]
                ),
                declaration=self.declaration(data),
                companions=[
                    Identity(
                        c.cleaned_data["name"],
                        c.cleaned_data["id_number"],
                        c.cleaned_data["document_type"],
                    )
                    for c in filled
                    if c.filled
                ],
                request=request,
                code_id=self.code.pk,
            )
        except CodeUnusable:
            return self.unusable(token)
        except (ValidationError, IdentityError) as exc:
            self.add_errors(form, exc)
            return self.render_page(form=form, companions=self.slots(filled), status=400)
        return self.done(result)

    @staticmethod
    def slots(filled):
        """Every companion slot for the page again: the typed ones as they were checked."""
        by_prefix = {c.prefix: c for c in filled}
        return [by_prefix.get(c.prefix, c) for c in companion_forms()]

    def one_tap(self, request):
        form = DeclarationForm(request.POST)
        if not form.is_valid():
            return self.render_page(form=form, status=400)
        chosen = set(request.POST.getlist("with"))
        others = [p for p in self.persons[1:] if str(p.pk) in chosen]
        try:
            result = record_checkin(
                place=self.place,
                client_uuid=form.cleaned_data["client_uuid"],
                person=self.persons[0],
                companion_persons=others,
                declaration=self.declaration(form.cleaned_data),
                request=request,
                code_id=self.code.pk,
            )
        except CodeUnusable:
            return self.unusable(self.kwargs["token"])
        except (ValidationError, IdentityError) as exc:
            self.add_errors(form, exc)
            return self.render_page(form=form, status=400)
        return self.done(result, keep=self.persons)

    def unusable(self, token):
        """The code stopped being usable after this process cached it: say why."""
        try:
            resolve_token(token)
        except PlaceTokenError as exc:
            return public_error(self.request, *TOKEN_PAGES[exc.reason])
        return public_error(self.request, *TOKEN_PAGES["revoked"])

    @staticmethod
    def declaration(data):
        return clean_declaration(
            temperature=data.get("temperature"),
            has_fever=data.get("fever"),
            symptoms=data.get("symptoms") or (),
            travel=data.get("travel") or "none",
            travel_from=data.get("travel_from") or "",
        )

    @staticmethod
    def add_errors(form, exc):
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, messages)
        else:
            form.add_error(None, str(exc.messages[0] if hasattr(exc, "messages") else exc))

    def done(self, result, keep=()):
        signed = signing.TimestampSigner(salt=RESULT_SALT).sign(str(result.checkin.pk))
        response = HttpResponseRedirect(reverse("checkins:checkin_result", args=[signed]))
        refs = [result.ref, *(c.ref for c in result.companions)]
        # A one tap keeps everyone the device remembers, not only who came along this time.
        from .models import PersonRef

        if keep:
            refs += list(
                PersonRef.objects.filter(person__in=[p.pk for p in keep]).values_list(
                    "ref", flat=True
                )
            )
        remember(response, refs)
        return response


@method_decorator(never_cache, name="dispatch")
class CheckinResultView(View):
    """What the person shows at the door: time, place, and the health code with its reason."""

    def get(self, request, signed):
        try:
            pk = int(
                signing.TimestampSigner(salt=RESULT_SALT).unsign(signed, max_age=RESULT_MAX_AGE)
            )
        except signing.BadSignature:
            return public_error(request, 404, "登记结果已失效", "请重新扫描场所码登记。")
        checkin = CheckIn.objects.select_related("place", "person").filter(pk=pk).first()
        if checkin is None:
            raise Http404
        rows = [checkin, *companions_of(checkin)]
        entries = [
            {"name": mask_name(c.person.name), "code": current_code(c.person), "fever": c.has_fever}
            for c in rows
        ]
        return render(
            request,
            "checkins/public_result.html",
            {"checkin": checkin, "place": checkin.place, "entries": entries},
        )


# ---------------------------------------------------------------------------------------------
# Staff pages (C5)
# ---------------------------------------------------------------------------------------------


class _WindowPage(PermissionRequiredMixin, TemplateView):
    default_days = 14

    def window_form(self):
        return WindowForm(self.request.GET or None, default_days=self.default_days)


class PersonTrajectoryView(_WindowPage):
    permission_required = ("checkins.view_checkin", "people.view_person")
    template_name = "checkins/person_trajectory.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        person = get_restricted_or_404(Person, self.request.user, pk=kwargs["pk"])
        form = self.window_form()
        window = form.window()
        passages = passages_for(self.request.user)
        qs = person_trajectory(person, window.start, window.end, passages=passages)
        page, query = audited_page(
            self.request,
            qs,
            object_type="person",
            object_id=person.pk,
            title=f"查看行动轨迹 {person.name}",
            detail={**window.as_detail(), "passages": passages},
            action=AuditAction.VIEW,
        )
        page.object_list = [TrajectoryRow(**row) for row in page.object_list]
        ctx.update(
            person=person, form=form, window=window, page=page, query=query, passages=passages
        )
        return ctx


class PlaceVisitorsView(_WindowPage):
    permission_required = ("checkins.view_checkin", "places.view_place")
    template_name = "checkins/place_visitors.html"
    default_days = 1

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        place = get_restricted_or_404(Place, self.request.user, pk=kwargs["pk"])
        form = self.window_form()
        window = form.window()
        passages = passages_for(self.request.user)
        qs = place_visitors(place, window.start, window.end, passages=passages)
        page, query = audited_page(
            self.request,
            qs,
            object_type="place",
            object_id=place.pk,
            title=f"查看场所到访人员 {place.name}",
            detail={**window.as_detail(), "passages": passages},
        )
        page.object_list = [VisitorRow(**row) for row in page.object_list]
        ctx.update(place=place, form=form, window=window, page=page, query=query, passages=passages)
        return ctx


class PersonTrajectoryExportView(PermissionRequiredMixin, View):
    permission_required = ("checkins.view_checkin", "people.export_person")

    def get(self, request, pk):
        person = get_restricted_or_404(Person, request.user, pk=pk)
        window = WindowForm(request.GET or None, default_days=14).window()
        qs = person_trajectory(
            person, window.start, window.end, passages=passages_for(request.user)
        )
        return xlsx_response(
            lambda stream: export_trajectory(
                qs, request.user, stream, person=person, window=window
            ),
            "行动轨迹",
        )


class PlaceVisitorsExportView(PermissionRequiredMixin, View):
    permission_required = ("checkins.view_checkin", "people.export_person")

    def get(self, request, pk):
        place = get_restricted_or_404(Place, request.user, pk=pk)
        window = WindowForm(request.GET or None, default_days=1).window()
        qs = place_visitors(place, window.start, window.end, passages=passages_for(request.user))
        return xlsx_response(
            lambda stream: export_visitors(qs, request.user, stream, place=place, window=window),
            "场所到访人员",
        )
