"""Pages of the check-ins: the public check-in at /c/<token>/ (C2, no login) and the staff's
trajectory and visitor pages (C5, restricted and audited)."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
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
from shuangying.core.ratelimit import RateLimited
from shuangying.core.signers import timestamp_sign
from shuangying.identity.devices import DEVICE_COOKIE, remember, remembered_persons
from shuangying.identity.services import MISMATCH, IdentityMismatch, refs_of
from shuangying.pages import apply_errors, audited_page
from shuangying.places.tokens import PlaceTokenError, peek_token, resolve_token

from .exports import export_trajectory, export_visitors
from .forms import DeclarationForm, FirstCheckinForm, companion_forms, typed_companions
from .models import CheckIn, DeclarationStatus, PendingDeclaration
from .services import (
    CodeUnusable,
    RegistrationThrottled,
    UuidReused,
    clean_declaration,
    companions_of,
    decide_declaration,
    record_checkin,
    safe_code,
)
from .trajectory import TrajectoryRow, VisitorRow, WindowForm, read_trajectory, read_visitors

RESULT_SALT = "shuangying.checkins.result"
RESULT_MAX_AGE = 60 * 60


@functools.cache
def _result_path() -> str:
    """The result page's path below the script prefix (``c/r/``)."""
    return reverse("checkins:checkin_result", args=["-"])[len(get_script_prefix()) : -2]


def result_url(signed: str, request=None) -> str:
    """``reverse("checkins:checkin_result", args=[signed])`` without the resolver on every
    scan: a signed value holds only URL-safe characters, so the path is the prefix plus it.
    With the request, its script prefix is read from its own path (``path`` is the script
    name followed by ``path_info``) rather than from the thread-local."""
    if request is not None:
        script = request.path[: len(request.path) - len(request.path_info)] + "/"
    else:
        script = get_script_prefix()
    return f"{script}{_result_path()}{signed}/"


TOKEN_PAGES = {
    "forged": (
        404,
        "场所码无效",
        "这个二维码不是本系统签发的场所码，或已损坏。请扫描场所张贴的正式场所码。",
    ),
    "revoked": (
        410,
        "场所码已作废",
        "这张场所码已经作废，场所已换发新码。请扫描现场张贴的新场所码。",
    ),
    "expired": (410, "场所码已过期", "这张场所码已过有效期。请联系场所负责人换发新码。"),
    "inactive": (410, "场所已停用", "该场所已停用扫码登记。"),
}
THROTTLED = (429, "操作太频繁", "请稍等一分钟后再扫码登记。")
REUSED = (
    409,
    "重复提交的内容不一致",
    "这次提交与之前用同一页面提交的登记内容不同。请返回重新打开登记页面后再提交。",
)


def public_error(request, status: int, title: str, message: str):
    return render(
        request,
        "checkins/public_error.html",
        {"title": title, "message": message},
        status=status,
    )


def registration_gate(request, place):
    """New persons from public check-ins, counted per address and per place."""
    return lambda: ratelimit.allow(request, "checkin_register", f"place:{place.pk}")


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
        # A POST's count is made where it writes (record_checkin: in the fast path's own
        # statement), before any write; anything else is counted here, first.
        self.charge = ratelimit.charge(request, "checkin", request.COOKIES.get(DEVICE_COOKIE, ""))
        if request.method != "POST" and not self.charge.settle():
            return public_error(request, *THROTTLED)
        try:
            return self._serve(request, token)
        finally:
            self.charge.settle()  # every request counts, the ones that wrote nothing too

    def _serve(self, request, token):
        try:
            # A POST checks its code where it writes (CodeUnusable); pages check it here.
            self.code = peek_token(token) if request.method == "POST" else resolve_token(token)
        except PlaceTokenError as exc:
            return public_error(request, *TOKEN_PAGES[exc.reason])
        self.place = self.code.place
        self.persons = [] if request.GET.get("new") else remembered_persons(request)
        return super().dispatch(request, token)

    def render_page(self, *, form=None, companions=None, status=200, otp_sent=False):
        ctx = {"place": self.place, "token": self.kwargs["token"], "otp_sent": otp_sent}
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
        if not (form.is_valid() & all([c.is_valid() for c in filled])):
            if not self.charge.settle():
                return public_error(request, *THROTTLED)
            return self.render_page(form=form, companions=self.slots(filled), status=400)
        data = form.cleaned_data
        return self.record(
            form,
            companions=lambda: self.slots(filled),
            identity=data["identity"],
            otp=data.get("otp") or "",
            companions_typed=[c.cleaned_data["identity"] for c in filled if c.filled],
            client_uuid=data["client_uuid"],
            declaration=self.declaration(data),
        )

    @staticmethod
    def slots(filled):
        """Every companion slot for the page again: the typed ones as they were checked."""
        by_prefix = {c.prefix: c for c in filled}
        return [by_prefix.get(c.prefix, c) for c in companion_forms()]

    def one_tap(self, request):
        form = DeclarationForm(request.POST)
        if not form.is_valid():
            if not self.charge.settle():
                return public_error(request, *THROTTLED)
            return self.render_page(form=form, status=400)
        chosen = set(request.POST.getlist("with"))
        return self.record(
            form,
            person=self.persons[0],
            companion_persons=[p for p in self.persons[1:] if str(p.pk) in chosen],
            client_uuid=form.cleaned_data["client_uuid"],
            declaration=self.declaration(form.cleaned_data),
            keep=self.persons,
        )

    def record(self, form, *, companions=lambda: None, companions_typed=(), keep=(), **kwargs):
        """``companions`` builds the page's companion slots, only if the page is shown again."""
        try:
            result = record_checkin(
                place=self.place,
                companions=companions_typed,
                code_id=self.code.pk,
                may_register=registration_gate(self.request, self.place),
                charge=self.charge,
                **kwargs,
            )
        except RateLimited:
            return public_error(self.request, *THROTTLED)
        except CodeUnusable:
            return self.unusable(self.kwargs["token"])
        except RegistrationThrottled:
            return public_error(self.request, *THROTTLED)
        except UuidReused:
            return public_error(self.request, *REUSED)
        except IdentityMismatch:
            form.add_error(None, MISMATCH)
            return self.render_page(form=form, companions=companions(), status=400)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(form=form, companions=companions(), status=400)
        if result.otp_sent:
            # Recorded (unbound); the same form again, same UUID, for the code: sent back with
            # it, it binds the identity and answers this very check-in.
            return self.render_page(form=form, companions=companions(), otp_sent=True)
        return self.done(result, keep=keep)

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

    def done(self, result, keep=()):
        flags = ("b" if result.bound else "") + ("p" if result.pending else "")
        signed = timestamp_sign(f"{result.checkin.pk}:{flags}", salt=RESULT_SALT)
        response = HttpResponseRedirect(result_url(signed, self.request))
        refs = [result.ref, *(c.ref for c in result.companions)]
        # A one tap keeps everyone the device remembers, not only who came along this time.
        if keep:
            refs += refs_of(keep)
        if any(refs):
            remember(response, refs)
        return response


@method_decorator(never_cache, name="dispatch")
class CheckinResultView(View):
    """What the person shows at the door: time, place, and — for a bound identity only — the
    health code with its reason."""

    def get(self, request, signed):
        try:
            value = signing.TimestampSigner(salt=RESULT_SALT).unsign(signed, max_age=RESULT_MAX_AGE)
            pk, _sep, flags = value.partition(":")
            pk = int(pk)
        except (signing.BadSignature, ValueError):
            return public_error(request, 404, "登记结果已失效", "请重新扫描场所码登记。")
        checkin = CheckIn.objects.select_related("place", "person").filter(pk=pk).first()
        if checkin is None:
            raise Http404
        bound = "b" in flags
        household = checkin.person.household_id
        entries = [
            {
                "name": mask_name(c.person.name),
                "code": safe_code(c.person)
                if bound and (c is checkin or (household and c.person.household_id == household))
                else None,
                "fever": c.has_fever,
            }
            for c in [checkin, *companions_of(checkin)]
        ]
        return render(
            request,
            "checkins/public_result.html",
            {
                "checkin": checkin,
                "place": checkin.place,
                "entries": entries,
                "bound": bound,
                "pending": "p" in flags,
            },
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
        form = self.window_form()
        window = form.window()
        read = read_trajectory(self.request.user, kwargs["pk"], window.start, window.end)
        person = read.subject
        page, query = audited_page(
            self.request,
            read.rows,
            object_type="person",
            object_id=person.pk,
            title=f"查看行动轨迹 {person.name}",
            detail={**window.as_detail(), "passages": read.passages},
            action=AuditAction.VIEW,
        )
        page.object_list = [TrajectoryRow(**row) for row in page.object_list]
        ctx.update(
            person=person, form=form, window=window, page=page, query=query, passages=read.passages
        )
        return ctx


class PlaceVisitorsView(_WindowPage):
    permission_required = ("checkins.view_checkin", "places.view_place")
    template_name = "checkins/place_visitors.html"
    default_days = 1

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = self.window_form()
        window = form.window()
        read = read_visitors(self.request.user, kwargs["pk"], window.start, window.end)
        place = read.subject
        page, query = audited_page(
            self.request,
            read.rows,
            object_type="place",
            object_id=place.pk,
            title=f"查看场所到访人员 {place.name}",
            detail={**window.as_detail(), "passages": read.passages},
        )
        page.object_list = [VisitorRow(**row) for row in page.object_list]
        ctx.update(
            place=place, form=form, window=window, page=page, query=query, passages=read.passages
        )
        return ctx


class PersonTrajectoryExportView(PermissionRequiredMixin, View):
    permission_required = ("checkins.view_checkin", "people.export_person")

    def get(self, request, pk):
        window = WindowForm(request.GET or None, default_days=14).window()
        read = read_trajectory(request.user, pk, window.start, window.end)
        return xlsx_response(
            lambda stream: export_trajectory(
                read.rows, request.user, stream, person=read.subject, window=window
            ),
            "行动轨迹",
        )


class PlaceVisitorsExportView(PermissionRequiredMixin, View):
    permission_required = ("checkins.view_checkin", "people.export_person")

    def get(self, request, pk):
        window = WindowForm(request.GET or None, default_days=1).window()
        read = read_visitors(request.user, pk, window.start, window.end)
        return xlsx_response(
            lambda stream: export_visitors(
                read.rows, request.user, stream, place=read.subject, window=window
            ),
            "场所到访人员",
        )


class PendingDeclarationListView(PermissionRequiredMixin, TemplateView):
    """The grid worker's list of declarations from unbound check-ins in their grids: confirm
    (they become health events) or reject."""

    permission_required = "checkins.view_pendingdeclaration"
    template_name = "checkins/pending_declarations.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = (
            PendingDeclaration.objects.restrict(self.request.user)
            .filter(status=DeclarationStatus.PENDING)
            .select_related("person", "place")
        )
        page, query = audited_page(
            self.request, qs, object_type="checkin_declaration", title="待核实扫码申报"
        )
        ctx.update(page=page, query=query)
        return ctx


class PendingDeclarationDecideView(PermissionRequiredMixin, View):
    permission_required = "checkins.change_pendingdeclaration"

    def post(self, request, pk):
        declaration = get_restricted_or_404(PendingDeclaration, request.user, "change", pk=pk)
        try:
            decide_declaration(
                actor=request.user,
                declaration=declaration,
                confirm=request.POST.get("decision") == "confirm",
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已核实")
        return redirect("checkins:pending_declarations")
