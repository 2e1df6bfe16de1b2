from django.urls import path

from . import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # /accounts/2fa/ is reachable before the second factor (TwoFactorRequiredMiddleware).
    path("2fa/setup/", views.TotpSetupView.as_view(), name="totp_setup"),
    path("2fa/verify/", views.TotpVerifyView.as_view(), name="totp_verify"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/2fa/remove/", views.TotpRemoveView.as_view(), name="totp_remove"),
    path("users/", admin_views.UserListView.as_view(), name="user_list"),
    path("users/new/", admin_views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", admin_views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", admin_views.UserUpdateView.as_view(), name="user_update"),
    path(
        "users/<int:pk>/activation/",
        admin_views.UserActivationView.as_view(),
        name="user_activation",
    ),
    path("users/<int:pk>/roles/", admin_views.UserRolesView.as_view(), name="user_roles"),
    path(
        "users/<int:pk>/2fa-reset/", admin_views.UserTotpResetView.as_view(), name="user_totp_reset"
    ),
    path("lockouts/", admin_views.LockoutListView.as_view(), name="lockout_list"),
    path("lockouts/unlock/", admin_views.UserUnlockView.as_view(), name="user_unlock"),
    path("changes/", admin_views.ChangeListView.as_view(), name="change_list"),
    path("changes/<int:pk>/decide/", admin_views.ChangeDecideView.as_view(), name="change_decide"),
]
