"""The test suite: SQLite by default, PostgreSQL and Redis when their URLs are set."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import CACHES, CELERY_BROKER_URL, REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="thuiszitters-test-media-"))
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker = Path(tempfile.mkdtemp(prefix="thuiszitters-test-broker-"))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker / "queue"),
        "data_folder_out": str(_broker / "queue"),
        "processed_folder": str(_broker / "processed"),
        "control_folder": str(_broker / "control"),
        "store_processed": False,
    }
LANGUAGE_CODE = "nl"
# Tests write their data with factories, which do not mark the figures as changed: each
# view counts afresh. tests/reports/test_figures_cache.py turns the cache on.
FIGURES_CACHE_SECONDS = 0

# Parallel test workers share one Redis server: each worker gets a database of its own
# (15, 14, ... counting down from REDIS_URL's), because the tests clear the cache, and a
# FLUSHDB by one worker would wipe another's login-throttle counters mid-test.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER.startswith("gw") and REDIS_URL:
    _url = urlsplit(REDIS_URL)
    _base = int(_url.path.strip("/") or 0)
    _db = max(_base - int(_WORKER[2:]), 0)
    CACHES["default"]["LOCATION"] = urlunsplit(_url._replace(path=f"/{_db}"))
