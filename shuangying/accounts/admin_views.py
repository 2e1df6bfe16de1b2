"""Account administration (A4): the system administrator's accounts and jurisdiction, the
security administrator's roles, lockouts and approvals.

Each page is guarded by the permission codename of the role that owns it (roles.py): the
system administrator holds accounts.add_user / change_user, the security administrator
accounts.manage_roles; the auditor holds neither. A change to a security administrator's or
auditor's account becomes a request that another security administrator approves
(services.py); the pages say so instead of claiming it is done."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from shuangying.core.paging import paginate
from shuangying.pages import apply_errors

from . import services, throttle
from .choices import ChangeStatus
from .forms import (
    DecisionForm,
    ReasonForm,
    UnlockForm,
    UserCreateForm,
    UserRolesForm,
    UserSearchForm,
    UserUpdateForm,
)
from .models import AccountChange, User
from .roles import role_label


def _error_text(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return "".join(exc.messages)
    return str(exc) or "您没有权限执行此操作。"


def _pending_notice(request, change: AccountChange) -> None:
    messages.info(
        request,
        f"{change.target.username} 是安全管理员或审计员：“{change.summary}”已提交，"
        "须经另一位安全管理员审批后生效。",
    )


def user_or_404(pk) -> User:
    try:
        return User.objects.select_related("department").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


class UserListView(PermissionRequiredMixin, TemplateView):
    """Accounts with search, role and status filters, paginated."""

    permission_required = "accounts.view_user"
    template_name = "accounts/user_list.html"

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
        page = paginate(self.request, qs.order_by("username"))
        for account in page:
            account.role_labels = [role_label(g.name) for g in account.groups.all()]
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(filter=form, page=page, query=params.urlencode())
        if self.request.user.has_perm("accounts.manage_roles"):
            ctx["pending_changes"] = services.pending_changes().count()
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
            protected=services.is_protected(account),
            changes=account.change_requests.select_related("requested_by", "decided_by")[:20],
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
                outcomes = [
                    services.update_user(
                        actor=request.user,
                        user=account,
                        full_name=data["full_name"],
                        department=data["department"],
                        reason=data["reason"],
                    ),
                    services.set_user_divisions(
                        actor=request.user,
                        user=account,
                        divisions=data["divisions"],
                        reason=data["reason"],
                    ),
                ]
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                pending = [o for o in outcomes if isinstance(o, AccountChange)]
                for change in pending:
                    _pending_notice(request, change)
                if not pending:
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
        if not form.is_valid():
            messages.error(request, "".join(e for errs in form.errors.values() for e in errs))
            return redirect("accounts:user_detail", pk=account.pk)
        service = services.reactivate_user if activate else services.deactivate_user
        try:
            outcome = service(actor=request.user, user=account, reason=reason)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            if isinstance(outcome, AccountChange):
                _pending_notice(request, outcome)
            elif activate:
                messages.success(request, f"已启用用户 {account.username}。")
            else:
                messages.success(request, f"已停用用户 {account.username}，其登录已失效。")
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
                outcome = services.set_user_roles(
                    actor=request.user,
                    user=account,
                    roles=form.cleaned_data["roles"],
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                if isinstance(outcome, AccountChange):
                    _pending_notice(request, outcome)
                else:
                    messages.success(request, f"已调整 {account.username} 的角色，其登录已失效。")
                return redirect("accounts:user_detail", pk=account.pk)
        return render(request, self.template_name, self.context(form, account), status=400)


class UserUnlockView(PermissionRequiredMixin, View):
    """POST: lift the login and two-factor lockouts of a username."""

    permission_required = "accounts.manage_roles"

    def post(self, request):
        form = UnlockForm(request.POST)
        if not form.is_valid():
            messages.error(request, "".join(e for errs in form.errors.values() for e in errs))
            return redirect("accounts:lockout_list")
        username = form.cleaned_data["username"].strip()
        try:
            services.unlock_user(actor=request.user, username=username)
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
        if not form.is_valid():
            messages.error(request, "".join(e for errs in form.errors.values() for e in errs))
            return redirect("accounts:user_detail", pk=account.pk)
        try:
            outcome = services.reset_user_totp(
                actor=request.user, user=account, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            if isinstance(outcome, AccountChange):
                _pending_notice(request, outcome)
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
            delayed=throttle.delayed_accounts(now),
            totp_locked=User.objects.filter(totp_locked_until__gt=now).order_by(
                "totp_locked_until"
            ),
        )
        return ctx


class ChangeListView(PermissionRequiredMixin, TemplateView):
    """Requests to change a security administrator's or auditor's account: the pending ones
    to decide, the recent decisions below."""

    permission_required = "accounts.manage_roles"
    template_name = "accounts/change_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        decided = AccountChange.objects.exclude(status=ChangeStatus.PENDING).select_related(
            "target", "requested_by", "decided_by"
        )[:50]
        ctx.update(pending=services.pending_changes(), decided=decided, form=DecisionForm())
        return ctx


class ChangeDecideView(PermissionRequiredMixin, View):
    """POST ``decision=approve|reject`` (and a note) on a pending request."""

    permission_required = "accounts.manage_roles"

    def post(self, request, pk):
        try:
            change = AccountChange.objects.select_related("target").get(pk=pk)
        except AccountChange.DoesNotExist:
            raise Http404 from None
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "".join(e for errs in form.errors.values() for e in errs))
            return redirect("accounts:change_list")
        approve = form.cleaned_data["decision"] == "approve"
        service = services.approve_change if approve else services.reject_change
        try:
            service(actor=request.user, change=change, note=form.cleaned_data["note"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            verb = "已批准并生效" if approve else "已驳回"
            messages.success(request, f"{verb}：{change.summary}")
        return redirect("accounts:change_list")
