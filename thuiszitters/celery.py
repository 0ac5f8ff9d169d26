"""The Celery app. Configuration comes from Django settings (``CELERY_*``)."""

import os
from pathlib import Path

from celery import Celery

# Like wsgi.py: a worker started without a settings module gets the safe one.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuiszitters.settings.production")

app = Celery("thuiszitters")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _ensure_filesystem_broker_folders(sender, **kwargs):
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
