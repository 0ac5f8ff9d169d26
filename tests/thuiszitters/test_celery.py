"""The heartbeat runs through a real Celery worker, on the filesystem broker and on Redis."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from thuiszitters.celery import app
from thuiszitters.models import SystemHeartbeat
from thuiszitters.tasks import heartbeat


def _wait_for_heartbeat(timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if SystemHeartbeat.objects.filter(name="celery").exists():
            return SystemHeartbeat.objects.get(name="celery")
        time.sleep(0.2)
    return None


def _drop_connection_pools():
    # What Celery itself does after a fork: the next publish builds pools for the new broker.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(request):
    """Point the real app at a broker for the duration of a test."""
    url, options = request.param
    if url.startswith("redis") and not url.removeprefix("redis://"):
        pytest.skip("REDIS_URL is not set")
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url, app.conf.broker_transport_options = url, options
    _drop_connection_pools()
    yield url
    app.conf.broker_url, app.conf.broker_transport_options = saved
    _drop_connection_pools()


BROKERS = [
    pytest.param(("filesystem://", settings.CELERY_BROKER_TRANSPORT_OPTIONS), id="filesystem"),
    pytest.param(
        ("redis://" + os.environ.get("REDIS_URL", "").removeprefix("redis://"), {}), id="redis"
    ),
]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", BROKERS, indirect=True)
def test_heartbeat_runs_through_a_real_worker(broker):
    assert not SystemHeartbeat.objects.exists()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        heartbeat.delay()
        beat = _wait_for_heartbeat()
    assert beat is not None, f"no heartbeat through {broker}"


def test_beat_schedules_the_heartbeat():
    entry = app.conf.beat_schedule["core-heartbeat"]
    assert entry["task"] == heartbeat.name == "core.heartbeat"
    assert entry["schedule"] == float(settings.HEARTBEAT_INTERVAL_SECONDS)


@pytest.mark.django_db
def test_heartbeat_twice_keeps_one_row():
    heartbeat.run()
    heartbeat.run()
    assert SystemHeartbeat.objects.count() == 1
