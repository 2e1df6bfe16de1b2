"""Helpers shared by the accounts tests."""

import pyotp
from django.urls import reverse

from shuangying.accounts import two_factor
from shuangying.testing import PASSWORD


def password_login(client, username, password=PASSWORD, ip="10.1.1.1", next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR=ip)


def enrol_totp(user) -> pyotp.TOTP:
    """Give ``user`` a confirmed authenticator the way the setup page does; return it."""
    secret = two_factor.start_totp_enrolment(user=user)
    totp = pyotp.TOTP(secret)
    assert two_factor.confirm_totp(user=user, code=totp.now()).ok
    # Enrolled "a while ago": the enrolment code's time step does not block the next login.
    type(user).objects.filter(pk=user.pk).update(totp_last_step=None)
    user.totp_last_step = None
    return totp
