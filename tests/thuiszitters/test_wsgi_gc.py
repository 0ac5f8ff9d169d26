"""The web worker's garbage collector (thuiszitters/wsgi.py): what the worker loaded is
frozen, the young objects are collected once a response has been sent, and otherwise after
``WEB_GC_THRESHOLD`` allocations."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import gc; import thuiszitters.wsgi; "
    "from django.core.signals import request_finished; "
    "print(gc.get_threshold()[0], gc.get_freeze_count() > 10000); "
    "garbage = [[] for _ in range(500)]; young = gc.get_count()[0]; "
    "request_finished.send(sender=None); "
    "print(young > 400, gc.get_count()[0] < 50)"
)


def _worker(**env: str) -> str:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "thuiszitters.settings.test", **env}
    done = subprocess.run(  # noqa: S603 - this interpreter and a fixed probe
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_the_worker_freezes_what_it_loaded_and_collects_after_each_response():
    assert _worker() == ["10000", "True", "True", "True"]
    assert _worker(WEB_GC_THRESHOLD="700")[:2] == ["700", "True"]
