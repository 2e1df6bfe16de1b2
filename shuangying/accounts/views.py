from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import redirect
from django.views.generic import ListView, TemplateView

from .models import User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class TotpSetupView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/totp_setup.html"


class TotpVerifyView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/totp_verify.html"

    def get(self, request, *args, **kwargs):
        if not request.user.totp_confirmed_at:
            return redirect("accounts:totp_setup")
        return super().get(request, *args, **kwargs)


class UserListView(PermissionRequiredMixin, ListView):
    permission_required = "accounts.view_user"
    model = User
    template_name = "accounts/user_list.html"
    paginate_by = 50
