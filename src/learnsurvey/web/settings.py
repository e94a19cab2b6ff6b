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

from learnsurvey.stats.disclosure import default_threshold

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
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-development-key-change-me-" + "x" * 20)
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
        default=f"sqlite:///{DATA_DIR / 'learnsurvey.sqlite3'}", conn_max_age=60
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
CACHES: dict[str, Any] = {
    "default": (
        {"BACKEND": "learnsurvey.web.rediscache.SharedClientRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

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

MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "learnsurvey <noreply@localhost>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Privacy: the smallest group any figure may describe (shared with the CLI, see
# learnsurvey.stats.disclosure), and the pupil-facing rate limits.
MIN_GROUP_SIZE = default_threshold()
CODE_FAILURES_PER_NETWORK = _env_int("LEARNSURVEY_CODE_FAILURES_PER_NETWORK", 30)
CODE_FAILURE_WINDOW_SECONDS = _env_int("LEARNSURVEY_CODE_FAILURE_WINDOW_SECONDS", 600)
SUBMISSIONS_PER_CODE_PER_MINUTE = _env_int("LEARNSURVEY_SUBMISSIONS_PER_CODE_PER_MINUTE", 300)
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
