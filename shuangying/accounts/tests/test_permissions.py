"""三权分立: who may open which account page (STYLE: a permission matrix, pretix-style).

The system administrator manages accounts but not roles and not the audit log; the security
administrator assigns roles and lifts lockouts but edits nothing else; the auditor reads the
audit log and changes nothing."""

import pytest
from django.urls import reverse

from shuangying.testing import login

pytestmark = pytest.mark.django_db

OK, DENIED = 200, 403


def url_for(name, personas):
    target = personas["grid1a"].pk
    return {
        "user_list": reverse("accounts:user_list"),
        "user_detail": reverse("accounts:user_detail", args=[target]),
        "user_create": reverse("accounts:user_create"),
        "user_update": reverse("accounts:user_update", args=[target]),
        "user_roles": reverse("accounts:user_roles", args=[target]),
        "lockout_list": reverse("accounts:lockout_list"),
        "audit": reverse("audit:event_list"),
        "profile": reverse("accounts:profile"),
    }[name]


MATRIX = {
    #               admin  security auditor county grid1a
    "user_list": (OK, OK, DENIED, DENIED, DENIED),
    "user_detail": (OK, OK, DENIED, DENIED, DENIED),
    "user_create": (OK, DENIED, DENIED, DENIED, DENIED),
    "user_update": (OK, DENIED, DENIED, DENIED, DENIED),
    "user_roles": (DENIED, OK, DENIED, DENIED, DENIED),
    "lockout_list": (DENIED, OK, DENIED, DENIED, DENIED),
    "audit": (DENIED, DENIED, OK, DENIED, DENIED),
    "profile": (OK, OK, OK, OK, OK),
}
PERSONAS = ("admin", "security", "auditor", "county", "grid1a")


@pytest.mark.parametrize(
    "page, persona, expected",
    [
        (page, persona, statuses[i])
        for page, statuses in MATRIX.items()
        for i, persona in enumerate(PERSONAS)
    ],
)
def test_get_matrix(client, personas, page, persona, expected):
    login(client, personas[persona])
    assert client.get(url_for(page, personas)).status_code == expected


@pytest.mark.parametrize("page", list(MATRIX))
def test_anonymous_is_sent_to_login(client, personas, page):
    response = client.get(url_for(page, personas))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


POSTS = [
    ("user_create", lambda p: reverse("accounts:user_create")),
    ("user_update", lambda p: reverse("accounts:user_update", args=[p["grid1a"].pk])),
    ("user_activation", lambda p: reverse("accounts:user_activation", args=[p["grid1a"].pk])),
    ("user_roles", lambda p: reverse("accounts:user_roles", args=[p["grid1a"].pk])),
    ("user_unlock", lambda p: reverse("accounts:user_unlock")),
    ("user_totp_reset", lambda p: reverse("accounts:user_totp_reset", args=[p["grid1a"].pk])),
]
POST_ALLOWED = {
    "admin": {"user_create", "user_update", "user_activation"},
    "security": {"user_roles", "user_unlock", "user_totp_reset"},
    "auditor": set(),
    "county": set(),
}


@pytest.mark.parametrize(
    "persona, action",
    [(persona, name) for persona in POST_ALLOWED for name, _u in POSTS],
)
def test_post_matrix(client, personas, persona, action):
    login(client, personas[persona])
    url = dict(POSTS)[action](personas)
    response = client.post(url, {"username": "grid1a", "reason": "测试"})
    if action in POST_ALLOWED[persona]:
        assert response.status_code in (200, 302, 400)
    else:
        assert response.status_code == 403
