"""The one settings file: every value comes from an environment variable with a safe default.

SQLite is the embedded default; set ``DATABASE_URL`` (e.g.
``postgres://postgres@127.0.0.1:5432/learnsurvey``) for PostgreSQL and ``REDIS_URL`` for a
cache shared between worker processes (rate limits, access-code look-ups).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from learnsurvey.stats._thresholds import default_threshold

# Lets typed admin and queryset generics (ModelAdmin[School]) work at run time.
django_stubs_ext.monkeypatch()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or value == "" else int(value)


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("LEARNSURVEY_DATA_DIR", Path.cwd() / "var"))

DEBUG = _env_bool("DEBUG", False)
PRODUCTION = _env_bool("LEARNSURVEY_PRODUCTION", False)
"""On for a real deployment (docs/deployment.md): a real SECRET_KEY is required, and HTTPS,
HSTS and Secure cookies are on unless turned off one by one."""
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me-" + "x" * 20
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
MIN_SECRET_KEY_LENGTH = 50
if PRODUCTION:
    # The key signs sessions and keys the HMAC that hides pupils' addresses in the rate
    # limits: a known or short one gives both away, so production does not start without it.
    if len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH or SECRET_KEY.startswith("insecure-"):
        raise ImproperlyConfigured(
            f"LEARNSURVEY_PRODUCTION is on: set SECRET_KEY to a random value of at least "
            f'{MIN_SECRET_KEY_LENGTH} characters (e.g. python -c "import secrets; '
            f'print(secrets.token_urlsafe(64))")'
        )
    if DEBUG:
        raise ImproperlyConfigured("LEARNSURVEY_PRODUCTION is on: DEBUG must be off")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
SITE_ROOT = os.environ.get("SITE_ROOT", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "learnsurvey.web.accounts",
    "learnsurvey.web.schools",
    "learnsurvey.web.waves",
    "learnsurvey.web.pupil",
    "learnsurvey.web.dashboards",
    "learnsurvey.web.exports",
    "learnsurvey.web.reports",
    "learnsurvey.web.improvement",
    "learnsurvey.web.partners",
    "learnsurvey.web.api",
    "learnsurvey.web.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After LocaleMiddleware and the user: a signed-in person's own language comes first.
    "learnsurvey.web.accounts.middleware.follow_account_language",
    "learnsurvey.web.accounts.middleware.private_when_signed_in",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "learnsurvey.web.urls"
WSGI_APPLICATION = "learnsurvey.web.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES: dict[str, Any] = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'learnsurvey.sqlite3'}",
        conn_max_age=60,
        # A pooled connection is checked before each request reuses it: after a database
        # restart, the first query of a request does not fail on a dead connection.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A fresh clone has no var/ yet: SQLite creates the file, not its folder.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let a demo server take submissions while a wave is recomputed.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file, not shared-cache memory, so threads (the live server, concurrent
    # submissions) see SQLite's real locking with WAL and the busy timeout.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"learnsurvey-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
_REDIS_CACHE = {
    "BACKEND": "learnsurvey.web.rediscache.SharedClientRedisCache",
    "LOCATION": REDIS_URL,
}
CACHES: dict[str, Any] = {
    "default": (
        _REDIS_CACHE if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # What every worker must see alike — the pupils' and the sign-in rate limits, and access
    # codes' records (a code switched off is off for every worker at once): in Redis when
    # there is one, else in a database table (pupil/migrations/0001), never per process.
    "shared": (
        _REDIS_CACHE
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "learnsurvey_shared_cache",
        }
    ),
}

TASK_BACKENDS = {
    # A queue in the platform's own database, run by `manage.py db_worker` (make demo starts
    # one; docs/deployment.md): no request waits for a recompute or a report.
    "database": "django_tasks_db.DatabaseBackend",
    # Inside the request that enqueued the task: the tests, and a one-process tool.
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASK_BACKEND = os.environ.get("LEARNSURVEY_TASKS", "database")
if TASK_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"LEARNSURVEY_TASKS must be one of {', '.join(TASK_BACKENDS)}, not {TASK_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASK_BACKEND]}}
PREBUILD_REPORT_PAGES = _env_bool("LEARNSURVEY_PREBUILD_REPORT_PAGES", TASK_BACKEND == "database")
"""After a wave's figures are computed, the worker builds the web pages of its reports (every
school's, trust's and the global one) so that they open at once; on by default with a worker."""

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
LANGUAGES = [
    ("en-gb", "English"),
    ("cy", "Cymraeg"),
    ("pl", "Polski"),
    ("ur", "اردو"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/London"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The shared stylesheet and scripts live beside the settings, not in an app.
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Production sends mail over SMTP (EMAIL_HOST...); development prints it on the console.
_MAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS: dict[str, Any] = {"default": {"BACKEND": _MAIL_BACKEND}}
if _MAIL_BACKEND.endswith(".smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": _env_int("EMAIL_PORT", 587),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": _env_bool("EMAIL_USE_TLS", True),
        "timeout": _env_int("EMAIL_TIMEOUT", 10),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "learnsurvey <noreply@localhost>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The language cookie (set by the layout's chooser, accounts.views.choose_language) is read
# by the server only.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# Behind a reverse proxy that ends TLS, it must say so (and strip the header from clients).
if _env_bool("LEARNSURVEY_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Only what the platform serves runs; nothing comes from a third party. Inline styles stay
# allowed (the server-drawn charts size their bars with style attributes); inline scripts do
# not, except a report's own chart script, by its hash (reports/csp.py).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Privacy: the smallest group any figure may describe (shared with the CLI, see
# learnsurvey.stats.disclosure), and the pupil-facing rate limits.
MIN_GROUP_SIZE = default_threshold()
# Report runs and their files are deleted after this many days (manage.py expire_report_runs).
REPORT_RUN_RETENTION_DAYS = _env_int("LEARNSURVEY_REPORT_RUN_RETENTION_DAYS", 30)
# A database that is not answering is a 503 asking to retry after this long (unavailable.py).
UNAVAILABLE_RETRY_AFTER_SECONDS = _env_int("LEARNSURVEY_UNAVAILABLE_RETRY_AFTER_SECONDS", 3)
CODE_FAILURES_PER_NETWORK = _env_int("LEARNSURVEY_CODE_FAILURES_PER_NETWORK", 30)
CODE_FAILURE_WINDOW_SECONDS = _env_int("LEARNSURVEY_CODE_FAILURE_WINDOW_SECONDS", 600)
SUBMISSIONS_PER_CODE_PER_MINUTE = _env_int("LEARNSURVEY_SUBMISSIONS_PER_CODE_PER_MINUTE", 300)
SIGN_IN_FAILURES_PER_ACCOUNT = _env_int("LEARNSURVEY_SIGN_IN_FAILURES_PER_ACCOUNT", 10)
SIGN_IN_FAILURES_PER_NETWORK = _env_int("LEARNSURVEY_SIGN_IN_FAILURES_PER_NETWORK", 100)
SIGN_IN_FAILURE_WINDOW_SECONDS = _env_int("LEARNSURVEY_SIGN_IN_FAILURE_WINDOW_SECONDS", 900)
REGISTRATIONS_PER_NETWORK_PER_HOUR = _env_int("LEARNSURVEY_REGISTRATIONS_PER_NETWORK_PER_HOUR", 20)
# The pupil rate limits count per client address, REMOTE_ADDR: a reverse proxy in front must
# set it to the real client. X-Forwarded-For (first address) is trusted only when this is on.
PUPIL_TRUST_X_FORWARDED_FOR = _env_bool("LEARNSURVEY_TRUST_X_FORWARDED_FOR", False)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
