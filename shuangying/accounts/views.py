"""Login, two-factor and one's own account (A4, login security). Account administration is
in admin_views.py."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.pages import apply_errors

from . import services, two_factor
from .forms import (
    LoginForm,
    OwnPasswordChangeForm,
    PasswordConfirmForm,
    TotpCodeForm,
)
from .middleware import OTP_VERIFIED, SESSION_STARTED
from .models import User
from .roles import role_label


def safe_next(request, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def with_next(url_name: str, target: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': target})}" if target else url


# --- login and logout ----------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Password login; django-axes counts failures by username + address (settings), and
    the form delays an account that fails from many addresses (throttle.py)."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        response = super().form_valid(form)
        self.request.session[SESSION_STARTED] = time.time()
        user.log_action(AuditAction.LOGIN, user=user, summary="密码登录成功")
        target = self.get_success_url()
        if user.totp_confirmed_at:
            return redirect(with_next("accounts:totp_verify", target))
        if user.needs_two_factor:
            return redirect(with_next("accounts:totp_setup", target))
        return response

    def form_invalid(self, form):
        # Only a username that passed the form's own checks reaches a query; one with NUL or
        # control characters is written to the log escaped, never looked up.
        username = (form.cleaned_data.get("username") or "").strip()[:150]
        raw = (self.request.POST.get("username") or "").strip()[:150]
        if username or raw:
            locked = bool(getattr(self.request, "axes_locked_out", False))
            throttled = form.has_error(NON_FIELD_ERRORS, "throttled")
            shown = username or raw.encode("unicode_escape").decode("ascii")[:150]
            record_event(
                action=AuditAction.LOGIN_FAILED,
                object_type=User.audit_object_type(),
                object_id=(
                    User.objects.filter(username=username).values_list("pk", flat=True).first()
                    if username
                    else None
                )
                or "",
                summary=f"登录失败：{shown}"
                + ("，已锁定" if locked else "")
                + ("，账户级延迟中" if throttled else ""),
                detail={"username": shown, "locked": locked, "throttled": throttled},
            )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            request.user.log_action(AuditAction.LOGOUT, user=request.user, summary="退出登录")
        return super().post(request, *args, **kwargs)


# --- two-factor ----------------------------------------------------------------------------


def qr_svg(data: str) -> str:
    """The QR code of ``data`` as an inline SVG element (no image file, no network)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    # Scale with the page (a 375 px phone too) rather than at a fixed size in millimetres.
    return re.sub(
        r'<svg width="[^"]*" height="[^"]*"',
        '<svg role="img" aria-label="QR" style="width:100%;max-width:240px;height:auto"',
        svg,
        count=1,
    )


class TotpSetupView(LoginRequiredMixin, View):
    """Enrol an authenticator app: scan the QR (or type the secret), then enter a code."""

    template_name = "accounts/totp_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.totp_confirmed_at:
            if request.session.get(OTP_VERIFIED):
                messages.info(request, "您已绑定两步验证。")
                return redirect("accounts:profile")
            return redirect(with_next("accounts:totp_verify", safe_next(request, "")))
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, secret, status=200):
        user = self.request.user
        uri = two_factor.totp_provisioning_uri(user, secret)
        grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "secret": grouped,
                "qr_svg": mark_safe(qr_svg(uri)),  # noqa: S308 - generated here, no user input
                "required": user.needs_two_factor,
                "next": safe_next(self.request, ""),
            },
            status=status,
        )

    def get(self, request):
        secret = two_factor.start_totp_enrolment(user=request.user)
        return self.render_page(TotpCodeForm(), secret)

    def post(self, request):
        if "renew" in request.POST:
            secret = two_factor.start_totp_enrolment(user=request.user, renew=True)
            return self.render_page(TotpCodeForm(), secret)
        form = TotpCodeForm(request.POST)
        secret = two_factor.start_totp_enrolment(user=request.user)
        if form.is_valid():
            result = two_factor.confirm_totp(user=request.user, code=form.cleaned_data["code"])
            if result.ok:
                request.session.cycle_key()
                request.session[OTP_VERIFIED] = True
                messages.success(request, "两步验证已绑定，以后登录时请输入验证器中的验证码。")
                return redirect(safe_next(request, reverse("accounts:profile")))
            form.add_error("code", result.message)
        return self.render_page(form, secret, status=400)


class TotpVerifyView(LoginRequiredMixin, View):
    """The second step of a login for users with an enrolled authenticator."""

    template_name = "accounts/totp_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.totp_confirmed_at:
            return redirect(with_next("accounts:totp_setup", safe_next(request, "")))
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200):
        user = self.request.user
        locked = user.totp_locked_until and user.totp_locked_until > timezone.now()
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "locked_until": user.totp_locked_until if locked else None,
                "next": safe_next(self.request, ""),
            },
            status=status,
        )

    def get(self, request):
        if request.session.get(OTP_VERIFIED):
            return redirect(safe_next(request))
        return self.render_page(TotpCodeForm())

    def post(self, request):
        form = TotpCodeForm(request.POST)
        if form.is_valid():
            result = two_factor.verify_totp(user=request.user, code=form.cleaned_data["code"])
            if result.ok:
                request.session.cycle_key()
                request.session[OTP_VERIFIED] = True
                return redirect(safe_next(request))
            form.add_error("code", result.message)
        status = 429 if request.user.totp_locked_until else 400
        return self.render_page(form, status=status)


# --- one's own account ---------------------------------------------------------------------


class ProfileView(LoginRequiredMixin, TemplateView):
    """My account: name, roles, divisions, password and two-factor."""

    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            account=user,
            roles=[role_label(r) for r in user.role_names()],
            divisions=user.divisions.order_by("path"),
            two_factor_required=user.needs_two_factor,
        )
        return ctx


class PasswordChangeView(LoginRequiredMixin, View):
    template_name = "accounts/password_change.html"

    def get(self, request):
        return render(request, self.template_name, {"form": OwnPasswordChangeForm(request.user)})

    def post(self, request):
        form = OwnPasswordChangeForm(request.user, request.POST)
        if form.is_valid():
            services.change_own_password(
                user=request.user, new_password=form.cleaned_data["new_password1"]
            )
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。其他设备上的登录已失效。")
            return redirect("accounts:profile")
        return render(request, self.template_name, {"form": form}, status=400)


class TotpRemoveView(LoginRequiredMixin, View):
    """Unbind one's own authenticator (new phone, or two-factor no longer wanted)."""

    template_name = "accounts/totp_remove.html"

    def get(self, request):
        if not request.user.totp_confirmed_at:
            return redirect("accounts:profile")
        return render(request, self.template_name, {"form": PasswordConfirmForm()})

    def post(self, request):
        form = PasswordConfirmForm(request.POST)
        if form.is_valid():
            try:
                two_factor.remove_own_totp(
                    user=request.user, password=form.cleaned_data["password"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                update_session_auth_hash(request, request.user)
                request.session.pop(OTP_VERIFIED, None)
                if request.user.needs_two_factor:
                    messages.warning(request, "您的角色要求两步验证，请绑定新的验证器。")
                    return redirect("accounts:totp_setup")
                messages.success(request, "已解除两步验证绑定。")
                return redirect("accounts:profile")
        return render(request, self.template_name, {"form": form}, status=400)
