"""Settings shared by every environment; everything that differs comes from the environment.

`shuangying.settings` is what `make run`, `make dev` and `make test` use: `make run` serves the
demo county with DEBUG off (the product's own error pages, static files through WhiteNoise) and
SHUANGYING_DEMO on; `make dev` turns DEBUG on for a developer. `shuangying.settings.production`
is what a county server runs.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SHUANGYING_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# Development-only fallbacks; production.py refuses to start without real ones.
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-secret-key-change-me-0123456789abcdef")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Keys for personal data (M1). SHUANGYING_DATA_KEYS is "id:base64key[,id:base64key…]": the first
# encrypts, all decrypt (rotation). SHUANGYING_HASH_KEY keys the HMAC used to look values up.
# The development defaults below are public and only fit the demo county.
SHUANGYING_DATA_KEYS = os.environ.get(
    "SHUANGYING_DATA_KEYS", "dev1:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE="
)
SHUANGYING_HASH_KEY = os.environ.get("SHUANGYING_HASH_KEY", "dev-only-hash-key-change-me")
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Shuangying@2020")
# Demo accounts skip two-factor authentication only where this is on (make run, make dev).
SHUANGYING_DEMO = env_bool("SHUANGYING_DEMO", DEBUG)
# The demo county lives in February 2020 (its trips, risk areas and checks are dated then). With
# the demo on, health codes shown live are reckoned as of this day as well as today, so a
# returnee from Wuhan shows the colour the demo's data gives them; the screens say which day.
DEMO_SCENARIO_DAY = "2020-02-15"
SHUANGYING_DEMO_AS_OF = (
    os.environ.get("SHUANGYING_DEMO_AS_OF", DEMO_SCENARIO_DAY).strip() or None
    if SHUANGYING_DEMO
    else None
)

# Place-code posters (C1): the QR's host (posters are printed once and scanned anywhere), and
# the CJK font embedded in the PDF (fonts-wqy-zenhei by default; see places/posters.py).
# Production requires the public base URL; without it the demo uses the host and port a page
# was asked on, and the poster worker the address `make run` serves on (SHUANGYING_SERVED_AT).
SHUANGYING_PUBLIC_BASE_URL = os.environ.get("SHUANGYING_PUBLIC_BASE_URL", "").strip()
SHUANGYING_SERVED_AT = os.environ.get("SHUANGYING_SERVED_AT", "").strip()
SHUANGYING_POSTER_FONT = os.environ.get("SHUANGYING_POSTER_FONT", "")

# Health codes (D2): Ed25519 private key, base64 of the raw 32 bytes. Under DEBUG or the demo a
# public development key is derived from SECRET_KEY; production.py never keeps it (see there).
SHUANGYING_HEALTHCODE_SIGNING_KEY = os.environ.get("SHUANGYING_HEALTHCODE_SIGNING_KEY", "")
if not SHUANGYING_HEALTHCODE_SIGNING_KEY and (DEBUG or SHUANGYING_DEMO):
    import base64 as _b64
    import hashlib as _hashlib

    SHUANGYING_HEALTHCODE_SIGNING_KEY = _b64.b64encode(
        _hashlib.sha256(f"healthcode-dev\x00{SECRET_KEY}".encode()).digest()
    ).decode()
SHUANGYING_HEALTHCODE_ISSUER = os.environ.get("SHUANGYING_HEALTHCODE_ISSUER", "shuangying")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",  # serves the API docs' own Swagger files (no CDN on county intranets)
    "django_tasks",
    "django_tasks_db",
    "shuangying.core",
    "shuangying.audit",
    "shuangying.divisions",
    "shuangying.accounts",
    "shuangying.people",
    "shuangying.imports",
    "shuangying.places",
    "shuangying.identity",
    "shuangying.passes",
    "shuangying.checkins",
    "shuangying.checkpoints",
    "shuangying.healthcodes",
    "shuangying.cases",
    "shuangying.labs",
    "shuangying.supplies",
    "shuangying.fevers",
    "shuangying.quarantine",
    "shuangying.dashboard",  # the top: the home page and the demo loader
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shuangying.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body: control characters, sizes, an unreachable database.
    "shuangying.guards.EdgeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shuangying.audit.context.AuditContextMiddleware",
    "shuangying.accounts.middleware.SessionLimitsMiddleware",
    "shuangying.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shuangying.urls"
WSGI_APPLICATION = "shuangying.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shuangying" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shuangying.core.context_processors.shell",
            ],
        },
    }
]

# Empty choices read "全部" in filters and "请选择" in forms (core/forms.py).
FORM_RENDERER = "shuangying.core.forms.Renderer"

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shuangying.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while pages read; IMMEDIATE avoids "database is locked" upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No parallel query for the application's connections: its queries are short, and on a
    # county's 2-core server starting workers costs more than it saves (docs/scaling.md,
    # "Measured"). SHUANGYING_PG_PARALLEL_WORKERS sets another figure.
    _parallel = int(os.environ.get("SHUANGYING_PG_PARALLEL_WORKERS", "0"))
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (
        _options.get("options", "") + f" -c max_parallel_workers_per_gather={_parallel}"
    ).strip()
# The public check-in's hot statements are prepared once per PostgreSQL connection
# (shuangying/core/db.py); 0 turns that off (PgBouncer in transaction mode before 1.21).
SHUANGYING_PREPARED_STATEMENTS = os.environ.get("SHUANGYING_PREPARED_STATEMENTS", "1") != "0"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "shuangying.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Repeated characters and keyboard walks (aaaaaaaaaaaa, qwertyuiopas, 1qaz2wsx3edc).
    {"NAME": "shuangying.accounts.validators.PatternPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (django-axes): by username *and* address together, so one person mistyping in a
# township office behind one NAT address does not lock out their colleagues, and an attacker
# at one address cannot lock a commander out for everyone.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# The client address behind a proxy: X-Forwarded-For only from these peers (core/net.py).
TRUSTED_PROXIES = [p for p in os.environ.get("SHUANGYING_TRUSTED_PROXIES", "").split(",") if p]
AXES_CLIENT_IP_CALLABLE = "shuangying.core.net.client_ip"
# Each failure is kept with its time (axes' AccessFailureLog), so that failures for one
# account across all addresses can be counted (accounts/throttle.py).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Per account, across addresses: after this many failures within AXES_COOLOFF_TIME each
# further attempt waits a delay that doubles with every failure, up to the maximum. A delay,
# not a lock: whoever holds the password gets in once it has passed.
LOGIN_ACCOUNT_FREE_FAILURES = 10
LOGIN_ACCOUNT_DELAY_MAX = timedelta(minutes=2)

# Sessions: 30 minutes idle (cookie age renewed on each request), 12 hours absolute
# (enforced by SessionLimitsMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
# Roles that must use two-factor authentication (A4 / login security).
TWO_FACTOR_REQUIRED_ROLES = ["county_commander", "system_admin", "security_admin", "auditor"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "shuangying" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "shuangying" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# With DEBUG off runserver serves no static files: WhiteNoise does, straight from the apps'
# static folders (no collectstatic step for the demo). production.py serves the collected,
# hashed files instead.
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "shuangying" / "static_root"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Rate limits of the public endpoints (shuangying/core/ratelimit.py): requests per address
# and per device within a window of seconds; 0 switches a limit off. RATE_LIMIT_CACHE names
# the cache holding the counters (a shared one when several server processes run).
CHECKIN_RATE_PER_ADDRESS = int(os.environ.get("CHECKIN_RATE_PER_ADDRESS", "120"))
CHECKIN_RATE_PER_DEVICE = int(os.environ.get("CHECKIN_RATE_PER_DEVICE", "20"))
CHECKIN_RATE_WINDOW = int(os.environ.get("CHECKIN_RATE_WINDOW", "60"))
FEVER_TIPOFF_RATE_PER_ADDRESS = int(os.environ.get("FEVER_TIPOFF_RATE_PER_ADDRESS", "10"))
FEVER_TIPOFF_RATE_WINDOW = int(os.environ.get("FEVER_TIPOFF_RATE_WINDOW", "3600"))
VERIFY_RATE_PER_ADDRESS = int(os.environ.get("VERIFY_RATE_PER_ADDRESS", "60"))
VERIFY_RATE_WINDOW = int(os.environ.get("VERIFY_RATE_WINDOW", "60"))
RATE_LIMIT_CACHE = os.environ.get("RATE_LIMIT_CACHE", "ratelimit")
# The counters must be shared by every server process (4 gunicorn workers each with its own
# LocMem cache let 4x the limit through): a table in the project's own database, made by
# `migrate` (migration core/0001), or Redis when REDIS_URL is set (needs the redis package).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if (REDIS_URL := os.environ.get("REDIS_URL", ""))
        else {"BACKEND": "shuangying.core.ratelimit.CounterCache", "LOCATION": "shuangying_counter"}
    ),
}

# Uploaded ledgers: checked before parsing (size, real xlsx, zip bomb guard).
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
IMPORT_MAX_ZIP_ENTRIES = 200
IMPORT_MAX_ROWS = 200_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Per-user allowances of acts that hand out personal data one record at a time (issue 17,
# docs/security.md): {kind: {role name or "default": count}} within PEOPLE_RATE_WINDOW seconds.
PEOPLE_RATE_LIMITS = {
    "reveal": {"default": 20},
    "exists_elsewhere": {"default": 10},
}
PEOPLE_RATE_WINDOW = 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Query strings may carry a searched document number or phone (docs/security.md).
    "filters": {"redact_identifiers": {"()": "shuangying.people.logfilters.RedactIdentifiers"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_identifiers"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_identifiers"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_identifiers"],
        },
    },
}

# The fever loop's deadlines (E2), in minutes after a fever is found: registered within the
# hour, isolated within two, sampled within six (Dingzhou's rule, seed 001).
FEVER_DEADLINES = {
    "registered": int(os.environ.get("FEVER_DEADLINE_REGISTERED", "60")),
    "isolated": int(os.environ.get("FEVER_DEADLINE_ISOLATED", "120")),
    "sampled": int(os.environ.get("FEVER_DEADLINE_SAMPLED", "360")),
}

# Quarantine (F1, F4): the period in days per reason, and the release conditions: the period
# served and a negative test on each of the days named (day 1 is the order's first day).
QUARANTINE_PERIOD_DAYS = {
    "close_contact": int(os.environ.get("QUARANTINE_DAYS_CLOSE_CONTACT", "14")),
    "secondary_contact": int(os.environ.get("QUARANTINE_DAYS_SECONDARY_CONTACT", "14")),
    "risk_arrival": int(os.environ.get("QUARANTINE_DAYS_RISK_ARRIVAL", "14")),
    "fever": int(os.environ.get("QUARANTINE_DAYS_FEVER", "14")),
    "other": int(os.environ.get("QUARANTINE_DAYS_OTHER", "14")),
}
QUARANTINE_RELEASE_TEST_DAYS = tuple(
    int(d) for d in os.environ.get("QUARANTINE_RELEASE_TEST_DAYS", "7,13").split(",") if d.strip()
)
QUARANTINE_RELEASE_REQUIRES_PERIOD = env_bool("QUARANTINE_RELEASE_REQUIRES_PERIOD", True)
# Daily reports (F3): two a day, each due by its cut-off (local time); the grid worker's list
# shows a missing report from its cut-off, the township's this many minutes later.
QUARANTINE_REPORT_CUTOFFS = tuple(
    os.environ.get("QUARANTINE_REPORT_CUTOFFS", "10:00,18:00").split(",")
)
QUARANTINE_TOWNSHIP_DELAY_MINUTES = int(os.environ.get("QUARANTINE_TOWNSHIP_DELAY_MINUTES", "60"))
# The personal report link printed on the notice stays valid this many days after the
# order's last day.
QUARANTINE_LINK_GRACE_DAYS = int(os.environ.get("QUARANTINE_LINK_GRACE_DAYS", "1"))
