"""Settings shared by every environment.

Values come from environment variables with safe defaults for development; each one is
documented in ``docs/configuration.md``. ``production.py`` removes the development defaults.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(
    env_str(
        "VAR_DIR",
        str(BASE_DIR / "var"),
        help="Folder for local state: the SQLite database, the filesystem broker, uploads.",
    )
)

# Development default only; production.py refuses to start without its own key.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY, help="Django's secret key (signing, sessions).")
# The key of the audit log's keyed hashes (HMAC-SHA256); empty: derived from SECRET_KEY
# (development only, production.py refuses it).
AUDIT_HASH_KEY = env_str(
    "AUDIT_HASH_KEY", "", help="Key of the audit log's keyed hashes of changed values."
)
DEBUG = env_bool("DEBUG", False, help="Django debug mode. Never on in production.")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    ["localhost", "127.0.0.1", "[::1]"],
    help="Comma-separated host names this site answers to.",
)
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", [], help="Comma-separated origins (https://host) trusted for CSRF."
)

INSTALLED_APPS = [
    # The admin's default site requires a verified second factor (thuiszitters/admin_site.py).
    "thuiszitters.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "thuiszitters.apps.CoreConfig",
    "registration.apps.RegistrationConfig",
    "cases.apps.CasesConfig",
    "escalation.apps.EscalationConfig",
    "reports.apps.ReportsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "thuiszitters.middleware.CSPMiddleware",
    "thuiszitters.middleware.SecurityHeadersMiddleware",
    "thuiszitters.middleware.RequestContextMiddleware",
    "thuiszitters.middleware.ApiBodySizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "thuiszitters.middleware.NoStoreMiddleware",
    # request.user.is_verified(): the session passed the second factor (django_otp.login).
    "thuiszitters.middleware.OTPMiddleware",
    "thuiszitters.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "thuiszitters.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "thuiszitters.urls"
WSGI_APPLICATION = "thuiszitters.wsgi.application"

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
                "thuiszitters.context_processors.navigation",
            ],
        },
    },
    {
        # The rows of long lists, included with {% jinja %} (ADR 0020): .jinja files.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "thuiszitters.jinja2env.environment"},
    },
]

# Widgets through Jinja2 where Django ships templates for it (thuiszitters.renderers).
FORM_RENDERER = "thuiszitters.renderers.FormRenderer"

DATABASE_URL = env_str(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'thuiszitters.sqlite3'}",
    help="Database URL; PostgreSQL in production, e.g. postgres://user:pass@host:5432/name.",
)
# The web workers' garbage collector (thuiszitters/wsgi.py, docs/performance.md): it collects
# the young objects after each response, and within a request only after this many
# allocations (Python's default 700). At 700 the collector ran about three times a request
# over the objects of the request in flight (issue 14).
WEB_GC_THRESHOLD = env_int(
    "WEB_GC_THRESHOLD",
    10_000,
    help="Allocations between collections of the youngest objects in a web worker (700: "
    "Python's default).",
)

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # A new connection has no prepared statements and cold catalog caches: its first
        # request took 20-30 ms longer at 100,000 pupils (docs/performance.md).
        conn_max_age=env_int(
            "DB_CONN_MAX_AGE", 600, help="Seconds to keep database connections open (0: close)."
        ),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and immediate transactions let the embedded web server and worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles the plans of the scope and report queries on every request: hundreds of
    # ms for queries that run in tens (docs/performance.md). Off unless a region measures
    # otherwise; a statement timeout keeps one runaway query from holding a worker.
    _jit = env_bool(
        "DB_JIT", False, help="PostgreSQL JIT for the application's connections (default off)."
    )
    _pg_options = [f"-c jit={'on' if _jit else 'off'}"]
    _timeout = env_int(
        "DB_STATEMENT_TIMEOUT_MS",
        0,
        help="PostgreSQL statement_timeout of the application connections in ms (0: none).",
    )
    if _timeout:
        _pg_options.append(f"-c statement_timeout={_timeout}")
    # The data of a region fits in memory (100,000 pupils: a few hundred MB), so reading a row
    # by index costs about what reading it in sequence does. With PostgreSQL's default of 4
    # the planner read all pupils to find a school's 1,600 (docs/performance.md).
    _random_page_cost = env_str(
        "DB_RANDOM_PAGE_COST",
        "1.1",
        help="PostgreSQL random_page_cost of the application connections (default 1.1: "
        "data in memory or on SSD; PostgreSQL's own default is 4).",
    )
    try:
        _pg_options.append(f"-c random_page_cost={float(_random_page_cost)}")
    except ValueError as error:
        raise ImproperlyConfigured("DB_RANDOM_PAGE_COST must be a number.") from error
    # Parameters travel apart from the statement, so a statement a connection runs again is
    # prepared once and its plan kept: planning was a large part of each page's SQL time
    # (docs/performance.md). "off" for a pooler that cannot keep them (PgBouncer in
    # transaction mode without max_prepared_statements).
    _prepare = env_str(
        "DB_PREPARE_THRESHOLD",
        "2",
        help="Runs of a statement on a connection before it is prepared (off: never).",
    )
    try:
        _prepare_threshold = None if _prepare.lower() == "off" else int(_prepare)
    except ValueError as error:
        raise ImproperlyConfigured('DB_PREPARE_THRESHOLD must be a number or "off".') from error
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "options": " ".join(_pg_options),
            "server_side_binding": True,
            "prepare_threshold": _prepare_threshold,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # Django's, with the session's user read by a query compiled once (ADR 0028).
    "thuiszitters.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int(
    "SESSION_COOKIE_AGE", 8 * 60 * 60, help="Session lifetime in seconds (default: a working day)."
)
SESSION_IDLE_TIMEOUT_MINUTES = env_int(
    "SESSION_IDLE_TIMEOUT_MINUTES",
    30,
    help="Minutes without a request after which a session ends (besides SESSION_COOKIE_AGE).",
)
# Django's database sessions, read by one fixed statement (thuiszitters/sessions.py).
SESSION_ENGINE = "thuiszitters.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Features this app never uses, switched off for it and anything it could ever embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
# django-csp 4: no inline script or style (htmx's own indicator style is switched off in
# base.html); under /api/ inline styles only (thuiszitters.middleware.CSPMiddleware).
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
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous object permissions

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("Engels"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(
    env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles"), help="Where collectstatic writes.")
)
MEDIA_ROOT = Path(
    env_str("MEDIA_ROOT", str(VAR_DIR / "media"), help="Stored files (generated reports).")
)
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
    help="Django e-mail backend; smtp in production.",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost", help="SMTP host.")
EMAIL_PORT = env_int("EMAIL_PORT", 25, help="SMTP port.")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False, help="Use STARTTLS for SMTP.")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False, help="Use implicit TLS (SMTPS) for SMTP.")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "", help="SMTP user name (empty: no login).")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "", help="SMTP password.")
NOTIFICATION_EMAIL_LEASE_SECONDS = env_int(
    "NOTIFICATION_EMAIL_LEASE_SECONDS",
    600,
    help="How long a worker holds the notification e-mails it claimed; a worker that died "
    "meanwhile leaves them to the next run after this.",
)
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env_int(
    "NOTIFICATION_EMAIL_MAX_ATTEMPTS",
    8,
    help="Attempts (1, 2, 4 ... minutes apart, at most an hour) before a notification "
    "e-mail is given up; the admin can retry it.",
)
NOTIFICATION_EMAIL_DEFAULT = env_str(
    "NOTIFICATION_EMAIL_DEFAULT",
    "digest",
    help="How notification e-mail arrives for users who did not choose: 'digest' (one mail "
    "a day) or 'each' (a mail per message).",
)
if NOTIFICATION_EMAIL_DEFAULT not in {"digest", "each"}:
    raise ImproperlyConfigured(
        f"NOTIFICATION_EMAIL_DEFAULT must be digest or each, got {NOTIFICATION_EMAIL_DEFAULT!r}"
    )
NOTIFICATION_DIGEST_HOUR = env_int(
    "NOTIFICATION_DIGEST_HOUR",
    7,
    help="The hour (0-23, local time) at which Celery beat sends the daily digest e-mails.",
)
if not 0 <= NOTIFICATION_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured(
        f"NOTIFICATION_DIGEST_HOUR must be an hour from 0 to 23, got {NOTIFICATION_DIGEST_HOUR}"
    )
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, help="Seconds before an SMTP connection gives up.")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "thuiszitters@localhost", help="Sender of notifications."
)
SITE_URL = env_str(
    "SITE_URL",
    "http://localhost:8000",
    help="Public base URL (scheme and host, no path) for links in e-mails.",
)

REDIS_URL = env_str(
    "REDIS_URL",
    None,
    help="Redis for the cache (and tests of the Redis broker); none: local memory. "
    "While Redis is unreachable the cache is served from a database table.",
)
CACHES = {
    "default": (
        {
            # Degrades to "fallback" while Redis is unreachable (thuiszitters/cache.py).
            "BACKEND": "thuiszitters.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "FALLBACK": "fallback",
            # A hanging Redis must not hold requests; the fallback answers instead.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Shared by all processes, so login lockouts and API rate limits hold during a Redis
    # outage. The table is made by migration core 0008; unused without REDIS_URL.
    "fallback": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "thuiszitters_cache_fallback",
        # Culling drops entries at random: room for every counter of an outage.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

# Computed figures per scope and quarter (reports.selectors.published_figures). Every write
# that changes what they count replaces its scope's token at once (thuiszitters/changes.py);
# the timeout bounds what a write outside the services would leave visible.
FIGURES_CACHE_SECONDS = env_int(
    "FIGURES_CACHE_SECONDS",
    300,
    help="Seconds the dashboards' computed figures are kept per scope and quarter; 0: not kept.",
)

# How many reverse proxies in front of the app append to X-Forwarded-For; 0 trusts none.
NUM_PROXIES = env_int(
    "NUM_PROXIES", 0, help="Trusted reverse proxies that set X-Forwarded-For (0: use REMOTE_ADDR)."
)

LOGIN_MAX_FAILURES = env_int(
    "LOGIN_MAX_FAILURES",
    5,
    help="Failed logins for one account from one address before that pair is locked.",
)
LOGIN_LOCKOUT_SECONDS = env_int(
    "LOGIN_LOCKOUT_SECONDS",
    60,
    help="The first lockout of an account+address pair; each further failure doubles it.",
)
LOGIN_LOCKOUT_MAX_SECONDS = env_int(
    "LOGIN_LOCKOUT_MAX_SECONDS",
    24 * 60 * 60,
    help="The longest lockout, and how long failures of a pair are remembered.",
)
LOGIN_ADDRESS_MAX_FAILURES = env_int(
    "LOGIN_ADDRESS_MAX_FAILURES",
    50,
    help="Failed logins from one address (any accounts) before that address is refused.",
)
LOGIN_ADDRESS_WINDOW_SECONDS = env_int(
    "LOGIN_ADDRESS_WINDOW_SECONDS",
    15 * 60,
    help="The window in which an address's failed logins are counted.",
)
# Second factor (django-otp): the name an authenticator app shows next to the code.
OTP_TOTP_ISSUER = env_str(
    "OTP_TOTP_ISSUER", "Thuiszitters", help="Name shown in authenticator apps."
)
RECOVERY_CODE_COUNT = 10

REPORT_RENDER_LEASE_SECONDS = env_int(
    "REPORT_RENDER_LEASE_SECONDS",
    600,
    help="A PDF render running longer than this died with its worker: the watchdog queues "
    "it again.",
)
REPORT_RENDER_MAX_ATTEMPTS = env_int(
    "REPORT_RENDER_MAX_ATTEMPTS",
    3,
    help="Renders of one report the watchdog starts before it marks the report failed.",
)
REPORT_QUEUE_GRACE_SECONDS = env_int(
    "REPORT_QUEUE_GRACE_SECONDS",
    120,
    help="A report queued this long without a worker taking it has its task sent again.",
)

# --- Celery -------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL",
    "filesystem://",
    help="Celery broker; default the filesystem transport under VAR_DIR (no server). "
    "redis://host:6379/0 in production.",
)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Worker and beat reconnect by themselves after a broker outage, however long it lasts.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishing from a web request gives up after this (thuiszitters/queue.py logs it and the
# outbox sends later); the worker's reconnect loop above is not bounded by it.
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A broker host that drops packets would otherwise hold a request for the OS's TCP
    # connect timeout (minutes).
    CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = CELERY_BROKER_CONNECTION_TIMEOUT
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL_SECONDS = env_int(
    "HEARTBEAT_INTERVAL_SECONDS", 60, help="How often Celery beat sends the worker heartbeat."
)
ESCALATION_SWEEP_MINUTES = env_int(
    "ESCALATION_SWEEP_MINUTES",
    15,
    help="How often Celery beat runs the escalation sweep (deadlines, warnings).",
)
ESCALATION_SWEEP_FAN_OUT = env_int(
    "ESCALATION_SWEEP_FAN_OUT",
    5000,
    help="When more cases than this are due, beat's sweep leaves each SWV's route to a task "
    "of its own, so that several workers share the day (0: never).",
)
CELERY_BEAT_SCHEDULE = {
    "core-heartbeat": {
        "task": "core.heartbeat",
        "schedule": float(HEARTBEAT_INTERVAL_SECONDS),
    },
    # Daily; the first run in a quarter freezes the figures of the quarter that ended.
    "reports-freeze-quarter": {
        "task": "reports.freeze_quarter",
        "schedule": float(24 * 3600),
        "options": {"expires": float(12 * 3600)},
    },
    "escalation-sweep": {
        "task": "escalation.sweep",
        "schedule": float(ESCALATION_SWEEP_MINUTES * 60),
        # A sweep that waited longer than one interval is superseded by the next.
        "options": {"expires": float(ESCALATION_SWEEP_MINUTES * 60)},
    },
    # The outbox dispatchers (ADR 0022): what a lost or unsent task message left behind.
    "escalation-send-notification-emails": {
        "task": "escalation.send_notification_emails",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # Digests whose sending failed or whose worker died, again within minutes.
    "escalation-send-notification-digest-retries": {
        "task": "escalation.send_notification_digests",
        "schedule": 60.0,
        "kwargs": {"retries_only": True},
        "options": {"expires": 60.0},
    },
    # The daily digest e-mail (docs/notifications.md); still queued 20 h on: the next day's.
    "escalation-send-notification-digests": {
        "task": "escalation.send_notification_digests",
        "schedule": crontab(minute=0, hour=NOTIFICATION_DIGEST_HOUR),
        "options": {"expires": float(20 * 3600)},
    },
    "reports-watchdog": {
        "task": "reports.watchdog",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # Daily: closed cases past their retention date go (docs/privacy.md, "Retention").
    "cases-retention-purge": {
        "task": "cases.retention_purge",
        "schedule": float(24 * 3600),
        "options": {"expires": float(12 * 3600)},
    },
}

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "thuiszitters.api.authentication.OrganisationTokenAuthentication",
        # A browser session counts only after the second factor.
        "thuiszitters.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "thuiszitters.api.permissions.HasActionPermission",
    ],
    "DEFAULT_FILTER_BACKENDS": ["thuiszitters.api.filters.FilterBackend"],
    # limit 1-200 (default PAGE_SIZE), offset 0-10^9; anything else is a 400 on the parameter.
    "DEFAULT_PAGINATION_CLASS": "thuiszitters.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "thuiszitters.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str(
            "API_RATE_LIMIT", "1200/minute", help="Requests per user or token (DRF rate)."
        ),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Thuiszitters API",
    "DESCRIPTION": (
        "Regional system for pupils who miss education: reports, cases, escalation.\n\n"
        "The API is strict. A request body with a field an operation does not know is "
        "refused (400, the field named in `fields` with `Onbekend veld.`). Lists page with "
        "`limit` (1 to 200, default 50) and `offset`; a value outside its range is a 400 on "
        "that parameter, never silently clamped. A body over 2.5 MB is refused with 413 "
        "(`payload_too_large`). `POST /api/v1/absence-reports/` is idempotent on "
        "`client_key`: the same key with the same body replays the first report (200, "
        "`Idempotent-Replayed: true`); the same key with another body is a 409 "
        "(`idempotency_conflict`). Every error, under every `/api/` URL, is JSON: "
        "`{status, code, detail, fields}`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

# --- Product settings ---------------------------------------------------------------------
ALLOW_DEMO_SEED = env_bool(
    "ALLOW_DEMO_SEED", True, help="Allow seed_demo to write the fictional demo region."
)
DEMO_PASSWORD = env_str(
    "DEMO_PASSWORD", "thuiszitters-demo", help="Password of the demo users made by seed_demo."
)

LOG_LEVEL = env_str("LOG_LEVEL", "INFO", help="Log level of the application loggers.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "filters": {"request_id": {"()": "thuiszitters.request_context.RequestIdLogFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "thuiszitters": {"level": LOG_LEVEL, "propagate": True},
        "registration": {"level": LOG_LEVEL, "propagate": True},
        "cases": {"level": LOG_LEVEL, "propagate": True},
        "escalation": {"level": LOG_LEVEL, "propagate": True},
        "reports": {"level": LOG_LEVEL, "propagate": True},
    },
}
