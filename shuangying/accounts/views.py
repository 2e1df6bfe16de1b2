"""Login, two-factor, one's own account, and account administration (A4, login security).

Each page is guarded by the permission codename of the role that owns it (roles.py): the
system administrator holds accounts.add_user / change_user, the security administrator
accounts.manage_roles; the auditor holds neither."""

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
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
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

from . import services
from .forms import (
    LoginForm,
    OwnPasswordChangeForm,
    PasswordConfirmForm,
    ReasonForm,
    TotpCodeForm,
    UserCreateForm,
    UserRolesForm,
    UserSearchForm,
    UserUpdateForm,
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
        record_event(
            request=self.request,
            user=user,
            action=AuditAction.LOGIN,
            object_type="user",
            object_id=user.pk,
            summary="密码登录成功",
        )
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
                object_type="user",
                object_id=(
                    User.objects.filter(username=username).values_list("pk", flat=True).first()
                    if username
                    else None
                )
                or "",
                summary=f"登录失败:{shown}"
                + (",已锁定" if locked else "")
                + (",账户级延迟中" if throttled else ""),
                detail={"username": shown, "locked": locked, "throttled": throttled},
            )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            record_event(
                request=request,
                action=AuditAction.LOGOUT,
                object_type="user",
                object_id=request.user.pk,
                summary="退出登录",
            )
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
        uri = services.totp_provisioning_uri(user, secret)
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
        secret = services.start_totp_enrolment(user=request.user)
        return self.render_page(TotpCodeForm(), secret)

    def post(self, request):
        if "renew" in request.POST:
            secret = services.start_totp_enrolment(user=request.user, renew=True)
            return self.render_page(TotpCodeForm(), secret)
        form = TotpCodeForm(request.POST)
        secret = services.start_totp_enrolment(user=request.user)
        if form.is_valid():
            result = services.confirm_totp(
                user=request.user, request=request, code=form.cleaned_data["code"]
            )
            if result.ok:
                request.session.cycle_key()
                request.session[OTP_VERIFIED] = True
                messages.success(request, "两步验证已绑定,以后登录时请输入验证器中的验证码。")
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
            result = services.verify_totp(
                user=request.user, request=request, code=form.cleaned_data["code"]
            )
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
                user=request.user, request=request, new_password=form.cleaned_data["new_password1"]
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
                services.remove_own_totp(
                    user=request.user, request=request, password=form.cleaned_data["password"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                update_session_auth_hash(request, request.user)
                request.session.pop(OTP_VERIFIED, None)
                if request.user.needs_two_factor:
                    messages.warning(request, "您的角色要求两步验证,请绑定新的验证器。")
                    return redirect("accounts:totp_setup")
                messages.success(request, "已解除两步验证绑定。")
                return redirect("accounts:profile")
        return render(request, self.template_name, {"form": form}, status=400)


# --- account administration ----------------------------------------------------------------


def user_or_404(pk) -> User:
    try:
        return User.objects.select_related("department").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


class UserListView(PermissionRequiredMixin, TemplateView):
    """Accounts with search, role and status filters, paginated."""

    permission_required = "accounts.view_user"
    template_name = "accounts/user_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = UserSearchForm(self.request.GET or None)
        qs = User.objects.select_related("department").prefetch_related("groups", "divisions")
        if form.is_valid():
            q = form.cleaned_data["q"].strip()
            if q:
                qs = qs.filter(Q(username__icontains=q) | Q(full_name__contains=q))
            if form.cleaned_data["role"]:
                qs = qs.filter(groups__name=form.cleaned_data["role"])
            if form.cleaned_data["active"]:
                qs = qs.filter(is_active=form.cleaned_data["active"] == "yes")
        page = Paginator(qs.order_by("username"), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        for account in page:
            account.role_labels = [role_label(g.name) for g in account.groups.all()]
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(filter=form, page=page, query=params.urlencode())
        return ctx


class UserDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "accounts.view_user"
    template_name = "accounts/user_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        account = user_or_404(kwargs["pk"])
        ctx.update(
            account=account,
            roles=[role_label(r) for r in account.role_names()],
            divisions=account.divisions.order_by("path"),
            locked=_login_locked(account.username),
            totp_locked=bool(
                account.totp_locked_until and account.totp_locked_until > timezone.now()
            ),
            reason_form=ReasonForm(),
            is_self=account.pk == self.request.user.pk,
        )
        return ctx


def _login_locked(username: str) -> bool:
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(
        username=username,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    ).exists()


class UserCreateView(PermissionRequiredMixin, View):
    permission_required = "accounts.add_user"
    template_name = "accounts/user_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": UserCreateForm()})

    def post(self, request):
        form = UserCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                account = services.create_user(
                    actor=request.user,
                    request=request,
                    username=data["username"],
                    password=data["password1"],
                    full_name=data["full_name"],
                    department=data["department"],
                    divisions=data["divisions"],
                )
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, f"已新增用户 {account.username}。角色需由安全管理员分配。"
                )
                return redirect("accounts:user_detail", pk=account.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class UserUpdateView(PermissionRequiredMixin, View):
    """Name, department and divisions (the system administrator's part)."""

    permission_required = "accounts.change_user"
    template_name = "accounts/user_form.html"

    def get_account(self, pk):
        account = user_or_404(pk)
        if account.is_superuser and not self.request.user.is_superuser:
            raise PermissionDenied
        return account

    def get(self, request, pk):
        account = self.get_account(pk)
        form = UserUpdateForm(
            initial={
                "full_name": account.full_name,
                "department": account.department_id,
                "divisions": list(account.divisions.values_list("pk", flat=True)),
            }
        )
        return render(request, self.template_name, {"form": form, "account": account})

    def post(self, request, pk):
        account = self.get_account(pk)
        form = UserUpdateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_user(
                    actor=request.user,
                    request=request,
                    user=account,
                    full_name=data["full_name"],
                    department=data["department"],
                )
                services.set_user_divisions(
                    actor=request.user, request=request, user=account, divisions=data["divisions"]
                )
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect("accounts:user_detail", pk=account.pk)
        return render(request, self.template_name, {"form": form, "account": account}, status=400)


class UserActivationView(PermissionRequiredMixin, View):
    """POST: deactivate (``active=0``) or reactivate (``active=1``) an account."""

    permission_required = "accounts.change_user"

    def post(self, request, pk):
        account = user_or_404(pk)
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        activate = request.POST.get("active") == "1"
        try:
            if activate:
                services.reactivate_user(
                    actor=request.user, request=request, user=account, reason=reason
                )
                messages.success(request, f"已启用用户 {account.username}。")
            else:
                services.deactivate_user(
                    actor=request.user, request=request, user=account, reason=reason
                )
                messages.success(request, f"已停用用户 {account.username},其登录已失效。")
        except ValidationError as exc:
            messages.error(request, "".join(exc.messages))
        return redirect("accounts:user_detail", pk=account.pk)


class UserRolesView(PermissionRequiredMixin, View):
    """The security administrator's page: which roles an account holds."""

    permission_required = "accounts.manage_roles"
    template_name = "accounts/user_roles.html"

    def get_account(self, pk):
        account = user_or_404(pk)
        if account.pk == self.request.user.pk:
            raise PermissionDenied
        if account.is_superuser and not self.request.user.is_superuser:
            raise PermissionDenied
        return account

    def context(self, form, account):
        return {"form": form, "account": account}

    def get(self, request, pk):
        account = self.get_account(pk)
        form = UserRolesForm(initial={"roles": account.role_names()})
        return render(request, self.template_name, self.context(form, account))

    def post(self, request, pk):
        account = self.get_account(pk)
        form = UserRolesForm(request.POST)
        if form.is_valid():
            try:
                services.set_user_roles(
                    actor=request.user,
                    request=request,
                    user=account,
                    roles=form.cleaned_data["roles"],
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已调整 {account.username} 的角色,其登录已失效。")
                return redirect("accounts:user_detail", pk=account.pk)
        return render(request, self.template_name, self.context(form, account), status=400)


class UserUnlockView(PermissionRequiredMixin, View):
    """POST: lift the login and two-factor lockouts of a username."""

    permission_required = "accounts.manage_roles"

    def post(self, request):
        username = (request.POST.get("username") or "").strip()[:150]
        try:
            services.unlock_user(actor=request.user, request=request, username=username)
        except ValidationError as exc:
            messages.error(request, "".join(exc.messages))
        else:
            messages.success(request, f"已解除 {username} 的锁定。")
        account = User.objects.filter(username=username).first()
        if account and request.POST.get("from") != "lockouts":
            return redirect("accounts:user_detail", pk=account.pk)
        return redirect("accounts:lockout_list")


class UserTotpResetView(PermissionRequiredMixin, View):
    """POST: unbind the authenticator of another user (a lost phone)."""

    permission_required = "accounts.manage_roles"

    def post(self, request, pk):
        account = user_or_404(pk)
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            services.reset_user_totp(
                actor=request.user, request=request, user=account, reason=reason
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, f"已重置 {account.username} 的两步验证。")
        return redirect("accounts:user_detail", pk=account.pk)


class LockoutListView(PermissionRequiredMixin, TemplateView):
    """Usernames locked out now (login and two-factor), for the security administrator."""

    permission_required = "accounts.manage_roles"
    template_name = "accounts/lockout_list.html"

    def get_context_data(self, **kwargs):
        from axes.models import AccessAttempt

        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        attempts = AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=now - settings.AXES_COOLOFF_TIME,
        ).order_by("-attempt_time")[:200]
        for attempt in attempts:
            attempt.unlocks_at = attempt.attempt_time + settings.AXES_COOLOFF_TIME
        ctx.update(
            attempts=attempts,
            totp_locked=User.objects.filter(totp_locked_until__gt=now).order_by(
                "totp_locked_until"
            ),
        )
        return ctx
