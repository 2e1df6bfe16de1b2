"""Production: everything secret must come from the environment; `check --deploy` is clean
(tests/test_deploy_check.py runs it).

The server refuses to start, rather than run weakly, when a secret is missing, short, or
one of the public development defaults."""

import os

from django.core.exceptions import ImproperlyConfigured

from . import *  # noqa: F403
from . import env_bool, env_list

DEBUG = False
# Demo accounts skip two-factor authentication and demo data may be loaded: never on a server
# holding a county's people, so the setting is refused rather than silently ignored.
if env_bool("SHUANGYING_DEMO", False):
    raise ImproperlyConfigured("SHUANGYING_DEMO must not be on in production")
SHUANGYING_DEMO = False
SHUANGYING_DEMO_AS_OF = None

# The public development values in settings/__init__.py: never acceptable here.
_DEV_VALUES = {
    "dev-only-insecure-secret-key-change-me-0123456789abcdef",
    "dev1:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE=",
    "dev-only-hash-key-change-me",
}


def required(name: str, *, min_length: int = 1) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment for production")
    if value in _DEV_VALUES or value.startswith(("dev-only", "django-insecure")):
        raise ImproperlyConfigured(f"{name} is a public development value; generate a real one")
    if len(value) < min_length:
        raise ImproperlyConfigured(f"{name} must be at least {min_length} characters long")
    return value


# 50+ characters with enough variety is what Django's security check (W009) asks for.
SECRET_KEY = required("SECRET_KEY", min_length=50)
SHUANGYING_DATA_KEYS = required("SHUANGYING_DATA_KEYS")
if any(part.strip().startswith("dev1:") for part in SHUANGYING_DATA_KEYS.split(",")):
    raise ImproperlyConfigured("SHUANGYING_DATA_KEYS holds the development key 'dev1'")
SHUANGYING_HASH_KEY = required("SHUANGYING_HASH_KEY", min_length=16)
# Health-code signing key: never the development key derived in settings/__init__.py. Without
# one, pages work but issuing a health code refuses (tokens.private_key).
SHUANGYING_HEALTHCODE_SIGNING_KEY = os.environ.get("SHUANGYING_HEALTHCODE_SIGNING_KEY", "").strip()
# The address printed on every place-code poster: never guessed from a request's Host header.
SHUANGYING_PUBLIC_BASE_URL = required("SHUANGYING_PUBLIC_BASE_URL")
if not SHUANGYING_PUBLIC_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        "SHUANGYING_PUBLIC_BASE_URL must be an absolute URL such as https://sy.example.gov.cn"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the server answers to")
# A wildcard answers any Host header: password-reset links and absolute URLs could then be
# built on an attacker's host name.
if any("*" in host for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the hosts; a wildcard '*' is refused")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
