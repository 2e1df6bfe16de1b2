from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("2fa/setup/", views.TotpSetupView.as_view(), name="totp_setup"),
    path("2fa/verify/", views.TotpVerifyView.as_view(), name="totp_verify"),
    path("users/", views.UserListView.as_view(), name="user_list"),
]
