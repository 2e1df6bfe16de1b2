"""Session limits and the two-factor gate (login security)."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

SESSION_STARTED = "shuangying_started_at"
OTP_VERIFIED = "shuangying_otp_verified"


class SessionLimitsMiddleware:
    """12 hours absolute, whatever the activity; the 30-minute idle limit is the cookie age
    (SESSION_COOKIE_AGE renewed on every request). A disabled user or a changed role ends the
    session through the session hash (User.get_session_auth_hash) in AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?expired=1")
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Users who have TOTP, or whose role requires it, reach nothing but the two-factor pages
    until they have entered a code in this session."""

    allowed_prefixes = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.session.get(OTP_VERIFIED)
            and not request.path.startswith(self.allowed_prefixes)
        ):
            target = ""
            if request.method == "GET":
                target = "?" + urlencode({"next": request.get_full_path()})
            if user.totp_confirmed_at:
                return redirect(reverse("accounts:totp_verify") + target)
            if user.needs_two_factor:
                return redirect(reverse("accounts:totp_setup") + target)
        return self.get_response(request)
