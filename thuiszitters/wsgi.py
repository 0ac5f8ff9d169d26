import gc
import os

from django.conf import settings
from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuiszitters.settings.production")

application = get_wsgi_application()

# What the worker loaded to serve (settings, models, URLs, templates) lives as long as the
# worker: freezing it keeps the collector from walking it again (a full collection took
# about 100 ms in the middle of a request). Measured in docs/performance.md (issue 14).
gc.freeze()
_, older, oldest = gc.get_threshold()
gc.set_threshold(settings.WEB_GC_THRESHOLD, older, oldest)


def collect_after_response(**kwargs) -> None:
    """Collect the young objects once a response has been sent (``request_finished``): then
    the request's objects are gone and a collection takes about 0.2 ms, where one in the
    middle of a request walked all of its live objects (4-10 ms)."""
    gc.collect(1)


request_finished.connect(collect_after_response, dispatch_uid="collect_after_response")
