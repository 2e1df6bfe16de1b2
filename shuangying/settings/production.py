"""Production: everything secret must come from the environment; `check --deploy` is clean."""

import os

from django.core.exceptions import ImproperlyConfigured

from . import *  # noqa: F403
from . import env_bool, env_list

DEBUG = False
SHUANGYING_DEMO = env_bool("SHUANGYING_DEMO", False)


def required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment for production")
    return value


SECRET_KEY = required("SECRET_KEY")
SHUANGYING_DATA_KEYS = required("SHUANGYING_DATA_KEYS")
SHUANGYING_HASH_KEY = required("SHUANGYING_HASH_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
