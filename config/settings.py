"""Settings for cantine, read from the environment.

SQLite is the embedded default; set ``DATABASE_URL`` (e.g.
``postgres://postgres@127.0.0.1:5432/cantine``) for PostgreSQL, the production database.
Defaults are production-safe: DEBUG is off unless ``DEBUG=1`` is set, and without DEBUG a
real ``SECRET_KEY`` is required.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# The test suite runs with production settings except where noted by TESTING.
TESTING = env_bool("TESTING") or "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "health_check",
    "csp",
    "cantine",
    "nutrition",
    "menus",
    "producers",
    "purchases",
    "orders",
    "demo",
]

MIDDLEWARE = [
    # First: times the whole request and logs it with its request id (cantine/logs.py).
    "cantine.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the body: refuses a body over the view's limit.
    "cantine.uploads.BodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A page's refusal (cantine.refusals.Refused, an uncaught ValidationError): one fragment.
    "cantine.refusals.RefusalMiddleware",
    # Last, as django-axes asks: answers a locked-out login with its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cantine.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Request bodies: 2.5 MB for forms and API calls (cantine.uploads.BodyLimitMiddleware applies it
# to JSON too, before reading); import pages raise it for their file with
# cantine.uploads.max_body. Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# SQLite for one laptop, safely: the development server and its job worker write to the same
# file. WAL lets readers run beside a writer; every transaction takes the write lock when it
# begins (IMMEDIATE), so two writers queue up behind the busy timeout instead of one failing
# with "database is locked" when it upgrades a read lock.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Fixtures and backups keep times to the microsecond (cantine/exact_json.py).
SERIALIZATION_MODULES = {"json": "cantine.exact_json"}

AUTH_USER_MODEL = "cantine.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: after AXES_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is locked out for AXES_COOLOFF_TIME (429 and a French page), whatever the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "cantine.logins.locked_out"
AXES_VERBOSE = False
# API keys (cantine.tokens) expire after this many days unless issued for fewer.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# French first, English second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cantine <noreply@cantine.localhost>")
# Where people reach the site: the absolute links in e-mails (no trailing slash).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

# Behind HTTPS (a reverse proxy sets X-Forwarded-Proto), cookies travel only over TLS.
SECURE_SSL = env_bool("SECURE_SSL", default=not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes ask over plain HTTP, inside the network
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_SSL else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Scripts, styles, images and fonts from cantine itself only: no inline script, handler or style
# attribute runs (static/js/cantine.js holds the page behaviours; htmx runs with allowEval off and
# its indicator styles in cantine.css). Charts are inline SVG; PDFs and CSVs are downloads.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# No page needs the camera, the microphone, the position or payments.
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Hashed, expiring, revocable keys that die with a password change.
        "cantine.tokens.HashedTokenAuthentication",
    ],
    # Per address for anonymous callers, per user otherwise (the default cache counts).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "30/minute"),
        "user": os.environ.get("API_USER_RATE", "600/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "cantine.pagination.CappedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    # Domain errors (a row still in use, a rule refusing) answered once for every endpoint.
    "EXCEPTION_HANDLER": "cantine.api_errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "cantine.api_errors.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "cantine API",
    "DESCRIPTION": "Canteens, menus, producers, orders and EGalim shares.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "PurchaseOrderStatusEnum": "orders.models.PurchaseOrder.Status",
        "PlanRunStatusEnum": "cantine.solver_runs.SolverRun.Status",
        "AllocationRunStatusEnum": "orders.models.AllocationRun.Status",
        "UnitEnum": "cantine.labels.Unit",
        "FamilyEnum": "cantine.labels.Family",
    },
    # Swagger UI assets come from the sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Purchases ordered but not received yet, for the ledger's year-end projection.
PURCHASES_PLANNED_PROVIDERS = ["orders.selectors.planned_purchases"]
# Invoice-to-payment delays per producer, for the manager's report.
PURCHASES_PAYMENT_DELAY_PROVIDERS = ["orders.selectors.payment_delays_for_year"]
# The rest of the year's planned menus as priced lines, for the year's forecast.
PURCHASES_FORECAST_PROVIDERS = ["orders.forecast.planned_year"]

# Background jobs. The embedded default is django-tasks' database queue (`make run`,
# `manage.py db_worker`); with REDIS_URL set, jobs go to Redis through django-tasks-rq and
# `manage.py rqworker` processes (`make prod`), on this machine or others with the same settings.
REDIS_URL = os.environ.get("REDIS_URL", "")
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks_rq.RQBackend" if REDIS_URL else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": ["default"],
    }
}
# The cache (today: each kitchen's planner catalogue, ``menus.catalogue_cache``). With REDIS_URL
# the web processes share it in Redis, so a kitchen's catalogue is built once for all of them,
# not once per process (4 gunicorn workers each built it again: a 60 ms miss per kitchen and
# worker in the load test); alone, each process keeps its own in memory. Keys are prefixed, so
# the cache shares the job queue's Redis database without meeting RQ's keys.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "cantine-cache",
        }
        if REDIS_URL or os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
RQ_QUEUES = {
    "default": {
        "URL": REDIS_URL or "redis://127.0.0.1:6379/0",
        # A job longer than this is stopped by RQ; solver runs have their own time limits.
        "DEFAULT_TIMEOUT": int(os.environ.get("JOB_TIMEOUT", "900")),
    }
}
# A run whose worker has not written a heartbeat for this long is marked failed
# (see cantine/solver_runs.py: the worker died, e.g. killed or out of memory).
SOLVER_STALE_SECONDS = float(os.environ.get("SOLVER_STALE_SECONDS", "60"))
# Seconds the planner gets for a whole school year (about 180 meals); a term gets its share
# (menus.services.year_time_limit). Shorter plans keep their own limit.
PLAN_YEAR_SECONDS = float(os.environ.get("PLAN_YEAR_SECONDS", "120"))
# How often a worker writes that heartbeat while it solves (well under the stale delay).
SOLVER_HEARTBEAT_SECONDS = float(os.environ.get("SOLVER_HEARTBEAT_SECONDS", "5"))

# Logs (cantine/logs.py): one JSON object per line in production, with the request id and the
# user on every record; LOG_FORMAT=text for people reading a terminal (the default with DEBUG).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "cantine.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "cantine.logs.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if TESTING:
    # Hashing strength is not under test; a fast hasher keeps the suite quick.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The suite calls the API thousands of times a minute (schemathesis); the throttling tests
    # set their own rates.
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": None, "user": None}
    # Background jobs run at once, inside the test, unless a test picks another backend.
    TASKS["default"]["BACKEND"] = os.environ.get(
        "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
    )
