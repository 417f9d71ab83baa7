"""Settings for jineng, read from environment variables.

DATABASE_URL        sqlite:///path or postgres://user@host:5432/name (default: var/jineng.sqlite3)
DJANGO_SECRET_KEY   required unless DJANGO_DEBUG or JINENG_DEMO is set
DJANGO_DEBUG        "1" for development
DJANGO_ALLOWED_HOSTS comma-separated host names
JINENG_PII_KEYS     comma-separated Fernet keys, newest first (ID numbers at rest)
JINENG_PII_HASH_KEY secret for the keyed hash that finds a person by ID number
JINENG_DEMO         "1": fixed demo keys are allowed (never in production)
JINENG_PUBLIC_URL   the public site's address in signed certificates (default http://localhost:8000)
JINENG_SMS_BACKEND  "package.module.Class" of a text-message gateway (core.sms; unset: log in DEBUG)
JINENG_CERTIFICATE_NUMBER_PATTERNS  JSON {province: {kind: pattern}} for special-ability and
                    training certificate numbers (assessment.rules.numbering; unset: defaults)
JINENG_PUBLIC_VERIFY_PER_HOUR  public certificate checks per client address and hour
                    (assessment.throttle; default 120)
JINENG_MAP_TILES    tile URL template for the public training map, e.g.
                    https://tiles.example/{z}/{x}/{y}.png (unset: no tiles, offline boundaries)
JINENG_MAP_TILES_ATTRIBUTION  the tile provider's attribution shown on the map
JINENG_MEDIA_ROOT   folder of uploaded files, e.g. certificate photos (default var/media)
JINENG_RISK_CACHE_DIR  folder of the full risk scan's event cache (default var/risk-cache;
                    "off": every full scan reads every event)
TIME_ZONE           default Asia/Shanghai
LANGUAGE_CODE       default zh-hans
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parents[2]
BASE_DIR = SRC_DIR.parent
PACKAGE_DIR = SRC_DIR / "jineng"


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG")
DEMO = env_flag("JINENG_DEMO")
TESTING = "PYTEST_VERSION" in os.environ

# Demo and test keys are public; a real deployment must set its own.
_DEMO_SECRET = "jineng-demo-secret-key-not-for-production-0123456789"
_DEMO_PII_KEY = "ZGVtby1waWkta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE="
_DEMO_HASH_KEY = "jineng-demo-hash-key-not-for-production"
_LAX = DEBUG or DEMO or TESTING


def secret(name: str, demo_value: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if _LAX:
        return demo_value
    raise ImproperlyConfigured(f"Set the environment variable {name}.")


SECRET_KEY = secret("DJANGO_SECRET_KEY", _DEMO_SECRET)
PII_KEYS = [k.strip() for k in secret("JINENG_PII_KEYS", _DEMO_PII_KEY).split(",") if k.strip()]
PII_HASH_KEY = secret("JINENG_PII_HASH_KEY", _DEMO_HASH_KEY)

ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]
if DEBUG or DEMO or TESTING:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "testserver", "[::1]"]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "jineng.core",
    "jineng.jobs",
    "jineng.accounts",
    "jineng.registry",
    "jineng.catalog",
    "jineng.training",
    "jineng.assessment",
    "jineng.outcomes",
    "jineng.subsidy",
    "jineng.supervision",
    "jineng.demand",
    "jineng.plans",
    "jineng.demo",
    "jineng.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen (its refusal is translated), before anything reads a body.
    "jineng.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "jineng.config.urls"
WSGI_APPLICATION = "jineng.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
# The API's authentication callbacks, in order (core.api.api_authenticators).
JINENG_API_AUTHENTICATION = [
    "jineng.accounts.api_auth.ApiTokenAuth",
    "jineng.accounts.api_auth.SessionAuth",
]
LOGIN_REDIRECT_URL = "portal:overview"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'jineng.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL and a busy timeout let the demo server and a CLI job share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# django-axes: after repeated failures, lock a user name at the address it was tried from
# (both together: a stranger cannot lock a province account for its owner, and an office
# behind one proxy address is not shut out by one colleague's typos). The cool-off doubles
# with each lockout of the same name and address within a day (jineng.accounts.lockout).
AXES_FAILURE_LIMIT = int(os.environ.get("JINENG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = "jineng.accounts.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout are refused and audited but do not restart the clock (the next
# lockout's doubling does that job).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "jineng"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Uploaded files (certificate photos): never under the working directory by accident.
MEDIA_ROOT = Path(os.environ.get("JINENG_MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
_NODE = BASE_DIR / "node_modules"
# Front-end libraries come from the npm lock file, never from a CDN.
STATICFILES_DIRS = [
    ("vendor/echarts", _NODE / "echarts" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    # Province boundaries for the plans map (orientation only, not an approved standard map).
    ("vendor/china-geojson", _NODE / "china-geojson" / "src" / "geojson"),
    # The public training map (portal): Leaflet draws the boundaries and sites offline; tiles
    # only when JINENG_MAP_TILES names a tile server.
    ("vendor/leaflet", _NODE / "leaflet" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.is_dir()]
STATICFILES_DIRS.insert(0, PACKAGE_DIR / "static")  # the project's own CSS and scripts
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
                    if not (DEBUG or TESTING or DEMO)
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or DEMO

# Background jobs (django-tasks, the backport of Django 6's tasks): queued in the database and
# run by `jineng jobs-run --watch` (or `jineng db_worker`); `dev.py start` starts one. Their
# result files live outside the static and media trees: only the job page hands them out.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The full risk scan's copy of the attendance events, kept between scans (one DuckDB file per
# database; supervision.services.event_cache). "off" turns it off.
_RISK_CACHE = os.environ.get("JINENG_RISK_CACHE_DIR", "")
RISK_CACHE_ROOT = (None if _RISK_CACHE.lower() == "off"
                   else Path(_RISK_CACHE or BASE_DIR / "var" / "risk-cache"))
JOBS_ROOT = Path(os.environ.get("JINENG_JOBS_DIR", BASE_DIR / "var" / "jobs"))
STORAGES["jobs"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": JOBS_ROOT, "base_url": None}}
# Registry exports above this many rows run as a background job instead of in the request.
REGISTRY_EXPORT_INLINE_ROWS = int(os.environ.get("JINENG_EXPORT_INLINE_ROWS", "5000"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Every handler carries the ID-number mask, including Django's own request and access logs
# (runserver's access log prints query strings, which may hold an ID number).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "jineng.core.pii.MaskIdNumbersFilter"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter",
                          "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_pii"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                          "filters": ["mask_pii"]},
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("JINENG_LOG_LEVEL", "WARNING")},
}

# Request sizes, checked from Content-Length before anything parses the body (413 above):
# JINENG_MAX_REQUEST_BYTES for every request (core.middleware), the import files' limit for
# API uploads (core.api; JSON operations have smaller ones of their own). Form fields and JSON
# bodies are held in memory up to DATA_UPLOAD_MAX_MEMORY_SIZE; uploaded files over
# FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file rather than memory.
JINENG_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
JINENG_MAX_REQUEST_BYTES = JINENG_MAX_UPLOAD_BYTES + 1024 * 1024  # the file and its form
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The public site's address, written into signed certificates (their check page and the
# revocation status list's address) and the QR codes of printed certificates.
JINENG_PUBLIC_URL = os.environ.get("JINENG_PUBLIC_URL", "http://localhost:8000").rstrip("/")
JINENG_SMS_BACKEND = os.environ.get("JINENG_SMS_BACKEND", "")
# The public training map's tiles (portal): none by default, so the base map (boundaries from
# china-geojson) needs no network; a deployment with its own or a licensed tile server sets both.
JINENG_MAP_TILES = os.environ.get("JINENG_MAP_TILES", "")
JINENG_MAP_TILES_ATTRIBUTION = os.environ.get("JINENG_MAP_TILES_ATTRIBUTION", "")
JINENG_PUBLIC_VERIFY_PER_HOUR = int(os.environ.get("JINENG_PUBLIC_VERIFY_PER_HOUR") or "120")
JINENG_CERTIFICATE_NUMBER_PATTERNS = json.loads(
    os.environ.get("JINENG_CERTIFICATE_NUMBER_PATTERNS") or "{}")
