"""Production: no development defaults; refuses to start with insecure settings."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    AUDIT_HASH_KEY,
    DEBUG,
    DEV_SECRET_KEY,
    SECRET_KEY,
    SESSION_COOKIE_AGE,
    SESSION_IDLE_TIMEOUT_MINUTES,
)
from .env import env_bool, env_int, env_str

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set it to false).")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value in production.")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters of random data.")
if len(AUDIT_HASH_KEY) < 32 or AUDIT_HASH_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "AUDIT_HASH_KEY must be set in production: at least 32 random characters, "
        "not the SECRET_KEY."
    )
if not 0 < SESSION_IDLE_TIMEOUT_MINUTES * 60 <= SESSION_COOKIE_AGE:
    raise ImproperlyConfigured(
        "SESSION_IDLE_TIMEOUT_MINUTES must be above 0 and within SESSION_COOKIE_AGE."
    )
if not 0 < SESSION_COOKIE_AGE <= 12 * 60 * 60:
    raise ImproperlyConfigured("SESSION_COOKIE_AGE must be above 0 and at most 12 hours.")

ALLOW_DEMO_SEED = env_bool(
    "ALLOW_DEMO_SEED", False, help="Allow seed_demo to write the fictional demo region."
)
SECURE_SSL_REDIRECT = env_bool(
    "SECURE_SSL_REDIRECT", True, help="Redirect plain HTTP to HTTPS (production)."
)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 31536000, help="HSTS max-age in seconds (production)."
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", True, help="HSTS includeSubDomains (production)."
)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True, help="HSTS preload (production).")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # whitenoise's, with the URLs kept (thuiszitters/storage.py).
    "staticfiles": {"BACKEND": "thuiszitters.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend",
    help="Django e-mail backend; smtp in production.",
)
