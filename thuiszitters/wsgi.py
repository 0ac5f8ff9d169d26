import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuiszitters.settings.production")

application = get_wsgi_application()

# What the worker loaded to serve (settings, models, URLs, templates) lives as long as the
# worker: freezing it keeps the collector from walking it again (a full collection took
# about 100 ms in the middle of a request). Requests' objects are collected as before, less
# often (WEB_GC_THRESHOLD). Measured in docs/performance.md (issue 14).
gc.freeze()
_, older, oldest = gc.get_threshold()
gc.set_threshold(settings.WEB_GC_THRESHOLD, older, oldest)
