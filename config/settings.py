"""Firebreak settings.

Two modes from one file, chosen by the environment:

* embedded default (nothing set): SQLite, in-memory channel layer, Celery on kombu's
  filesystem transport under ``FIREBREAK_DATA_DIR``;
* production stack: ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (channels-redis, Celery
  broker, cache).
"""

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
DATA_DIR = Path(env.str("FIREBREAK_DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """A per-machine key for the embedded default, kept outside the repository."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = _embedded_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "channels",
    "django_htmx",
    "axes",
    "csp",
    "core",
    "accounts",
    "hub",
    "spokes",
    "replies",
    "incidents",
    "insights",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestOriginMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "core.middleware.NulInputMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.SessionTimeoutMiddleware",
    "core.middleware.PermissionMemoMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
# Threads per web process running HTTP requests (config/asgi.py); with DB_POOL_SIZE, no more
# than the pool lends, so no request waits for a connection.
WEB_THREADS = env.int("WEB_THREADS", default=8)

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
                "core.context_processors.navigation",
            ],
            "builtins": ["django.contrib.humanize.templatetags.humanize"],
        },
    },
    {
        # Only for templates rendered many times per page (see config/jinja2.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.environment"},
    },
]

# --- database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'firebreak.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Covering-index columns (INCLUDE) are a PostgreSQL optimisation; SQLite ignores them.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif DB_POOL_SIZE := env.int("DB_POOL_SIZE", default=0):
    # A connection pool per process (psycopg_pool), for the web processes: their requests run
    # on WEB_THREADS threads and their websocket consumers on short-lived ones, so connections
    # are lent per request rather than held per thread. With CONN_HEALTH_CHECKS, the pool
    # checks a connection before lending it (core.dbpool: a round trip only when the server may
    # have dropped it): a restarted database costs a reconnect, not an error page.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # required with a pool
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "pool": {
            "min_size": min(2, DB_POOL_SIZE),
            "max_size": DB_POOL_SIZE,
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        },
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    # Parameters sent apart from the statement, and a statement the connection has run five
    # times prepared (psycopg; Django leaves both off): PostgreSQL then parses it once per
    # connection and can keep its plan, instead of planning at every call (the load test
    # spent a third of PostgreSQL's statement time planning). DB_PREPARED_STATEMENTS=0 behind
    # a pooler that cannot keep prepared statements (PgBouncer in transaction mode before
    # 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, reading timestamps with psycopg's compiled loader (core/postgresql).
    DATABASES["default"]["ENGINE"] = "core.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis, channels, cache, celery -------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 30},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 900}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
    _broker_dir = DATA_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    if CELERY_BROKER_URL.startswith("filesystem://"):
        # kombu's filesystem transport writes a message file in place: a worker reading it
        # half-written died with "Unrecoverable error: JSONDecodeError" (core/embedded_broker.py).
        CELERY_BROKER_TRANSPORT = "core.embedded_broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
        # A worker looks for new tasks this often once its prefetch window frees up: at the
        # default second, the embedded worker ran about two tasks a second whatever their size
        # (a bulk response's 47 deliveries took 23 s); a directory listing costs next to nothing.
        "polling_interval": 0.1,
    }

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Triage coalesced into one backlog task at a time (spokes/tasks.py) rather than a task per
# ingest request.
TRIAGE_COALESCE = env.bool("TRIAGE_COALESCE", default=True)
TRIAGE_GATHER_SECONDS = env.float("TRIAGE_GATHER_SECONDS", default=0.25)
# Routing rules, escalation rules, hours and SLA policies are kept per process between triage
# batches until they change (hub/snapshot.py); re-read after this long whatever happens.
TRIAGE_CONFIG_SECONDS = env.float("TRIAGE_CONFIG_SECONDS", default=60.0)
# "So many more mentions" events: at most one per group and process in this many seconds
# (core/events.py; 0: each sent at once).
LIVE_COALESCE_SECONDS = env.float("LIVE_COALESCE_SECONDS", default=0.25)
OUTBOX_SWEEP_AFTER = env.int("OUTBOX_SWEEP_AFTER", default=300)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.tasks.record_heartbeat", "schedule": 30.0},
    "outbox-sweep": {"task": "core.sweep_pending_work", "schedule": 60.0},
    "sla-timers": {"task": "spokes.tasks.sla_timers", "schedule": 30.0},
    "insights-rollups": {
        "task": "insights.tasks.refresh_rollups",
        "schedule": 300.0,
        "kwargs": {"days": 2},
    },
    "insights-rollups-nightly": {
        "task": "insights.tasks.refresh_rollups",
        "schedule": crontab(hour=2, minute=15),
        "kwargs": {"days": 90},
    },
    "insights-snapshots": {"task": "insights.tasks.refresh_snapshots", "schedule": 600.0},
}
INSIGHTS_CUSTOMER_BASE = env.int("INSIGHTS_CUSTOMER_BASE", default=2_000_000)

# --- auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row, anonymous sees nothing
GUARDIAN_RAISE_403 = False

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"  # a page, not axes' bare text (429)

SESSION_ENGINE = "core.sessions"  # Django's database sessions, keys checked (core/sessions.py)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
# Seconds the per-status counts of a queue are shared through the cache (0: count every time).
QUEUE_COUNTS_SECONDS = env.int("QUEUE_COUNTS_SECONDS", default=10)
# A queue's rows as its live refresh shows them, made once for everyone who would see the same
# ones and shown for this long (spokes.views._live_rows); 0: made for every refresh.
QUEUE_ROWS_SECONDS = env.float("QUEUE_ROWS_SECONDS", default=2.0)
# An incident's linked-mention figures, shared by everyone viewing it, counted again when older
# than this (or when a person links or unlinks mentions); 0: counted on every request.
INCIDENT_STATS_SECONDS = env.float("INCIDENT_STATS_SECONDS", default=2.0)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=2 * 3600)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 3600)
LOGIN_URL_PATH = "/login/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

# --- security (production values when DEBUG=0) --------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- i18n, static -------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_FILE_PATH = DATA_DIR / "mail"  # the embedded default keeps outgoing mail here
if env.str("EMAIL_URL", default=""):  # smtp+tls://user:password@host:587 (django-environ)
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = (
        "django.core.mail.backends.filebased.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend"
    )
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_BACKEND)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # a hung mail server cannot hold a worker
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="firebreak@localhost")
# where people reach the web UI: the links in emails
SITE_URL = env.str(
    "SITE_URL",
    default=f"http://127.0.0.1:{env.str('PORT', default='8000')}"  # make run's address
    if DEBUG
    else f"https://{ALLOWED_HOSTS[0].lstrip('.')}",
).rstrip("/")

# --- REST API -----------------------------------------------------------------------------
# The queue filters' empty choice reads as what it does (django-filter shows "---------").
FILTERS_EMPTY_CHOICE_LABEL = "Any"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.HasScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.IntegrationKeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "integration_key": env.str("API_RATE_LIMIT", default="1200/min"),
    },
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    # ASCII output: an error message may echo untrusted input, and a lone surrogate in it
    # ("\ud800" is not a valid choice) cannot be encoded as UTF-8; escaped, it is valid JSON.
    "UNICODE_JSON": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Firebreak API",
    "DESCRIPTION": (
        "Push mentions in from monitoring tools; read and act on department queues from "
        "delivery tools, CRMs and dashboards.\n\n"
        "**Authentication**: `Authorization: Api-Key <key>` (keys are created by administrators, "
        "shown once, scoped to departments and to the scopes `read`, `write`, `approve`). A key "
        "sees only its departments' data: anything else is a 404.\n\n"
        '**Errors** always have the shape `{"error": {"code", "message", "fields"}}`.'
        "\n\n**Limits**: requests per key per minute; a 429 carries `Retry-After`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # PATCH bodies as their serializers say, not with every field made optional: the one
    # PATCH (a draft reply's text) requires its field.
    "COMPONENT_SPLIT_PATCH": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_empty_query_parameters",
    ],
    "ENUM_NAME_OVERRIDES": {
        "MentionStatusEnum": "spokes.models.Status",
        "IngestOutcomeEnum": "api.v1.mentions.INGEST_OUTCOMES",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False},
}

# Outbound webhooks may target private/loopback addresses only when this is set (SSRF guard).
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
AXES_VERBOSE = False
