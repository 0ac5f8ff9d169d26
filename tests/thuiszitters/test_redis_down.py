"""Redis stops: logins, the API, pages and /healthz degrade instead of failing.

The tests start a redis-server of their own (skipped without one), point the default cache
at it (``thuiszitters.cache.ResilientRedisCache`` with the database fallback, as the
settings do with ``REDIS_URL``) or the Celery broker, and stop it halfway. Login lockouts and
API rate limits must keep holding while it is down (fail safe), from the database table that
migration core 0008 made. Work requested during the outage (a quarterly report, notification
e-mails) waits in its own rows and is done once Redis is back and beat's dispatchers run.
"""

import datetime
import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import UserRateThrottle

from thuiszitters import cache as resilient
from thuiszitters import queue
from thuiszitters.roles import RoleCode
from thuiszitters.services import api_token_create

from ..factories.second_factor import log_in_fully
from ..factories.users import SETUP

REDIS_SERVER = shutil.which("redis-server")
FALLBACK_TABLE = "thuiszitters_cache_fallback"
OWNER = "192.0.2.10"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throw-away redis-server on its own port, without persistence."""

    def __init__(self, port: int, folder) -> None:
        self.port, self.folder = port, folder
        self.process: subprocess.Popen | None = None
        self.client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        options += ["--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            [REDIS_SERVER, *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        self.client.connection_pool.disconnect()


@pytest.fixture
def redis_server(tmp_path):
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(_free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def resilient_cache(redis_server, settings, monkeypatch):
    """The default cache on ``redis_server``, as production configures it."""
    monkeypatch.setattr(resilient, "_circuits", {})  # no circuit state from other tests
    # Assigning CACHES makes Django's setting_changed handler drop the cache connections,
    # so caches["default"] (and the proxy `cache` the throttles use) is built anew.
    settings.CACHES = {
        "default": {
            "BACKEND": "thuiszitters.cache.ResilientRedisCache",
            "LOCATION": redis_server.url,
            "FALLBACK": "fallback",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": FALLBACK_TABLE,
        },
    }
    assert isinstance(caches["default"], resilient.ResilientRedisCache)
    return caches["default"]


def _fallback_rows() -> int:
    table = connection.ops.quote_name(FALLBACK_TABLE)  # a constant
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def _attempt(client, email, secret):
    return client.post(reverse("login"), {"username": email, "password": secret}, REMOTE_ADDR=OWNER)


def test_migrate_made_the_fallback_table(db):
    assert FALLBACK_TABLE in connection.introspection.table_names()


def test_logins_work_and_still_lock_out_while_redis_is_down(
    client, world, user_with_role, password, settings, redis_server, resilient_cache
):
    settings.LOGIN_MAX_FAILURES = 3
    user = user_with_role(RoleCode.LEERPLICHT)
    other = user_with_role(RoleCode.CASUSREGISSEUR)
    _attempt(client, user.email, "wrong")
    assert redis_server.client.dbsize() > 0  # counted in Redis while it runs
    assert _fallback_rows() == 0

    redis_server.stop()
    # The fallback cannot read Redis's count: the outage counts from zero.
    for _ in range(3):
        response = _attempt(client, user.email, "wrong")
        assert response.status_code == 200
    assert _fallback_rows() > 0  # the counts went to the database
    locked = _attempt(client, user.email, password)
    assert locked.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Te veel mislukte inlogpogingen" in locked.content.decode()

    # Another account signs in, password and second factor, and reaches the start page.
    log_in_fully(client, other, password)
    assert client.get(reverse("home")).status_code == 200


def test_the_api_answers_and_still_rate_limits_while_redis_is_down(
    client, world, redis_server, resilient_cache, monkeypatch
):
    # DRF reads the rates into the class at import; three requests are enough here.
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    _, key = api_token_create(organisation=world.school, name="ParnasSys", actor=SETUP)
    redis_server.stop()
    for _ in range(2):
        response = client.get(reverse("user-me"), HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200
        assert response.json()["is_service_account"] is True
    refused = client.get(reverse("user-me"), HTTP_AUTHORIZATION=f"Token {key}")
    assert refused.status_code == 429


def test_pages_answer_and_healthz_says_degraded_while_redis_is_down(
    client, world, user_with_role, login, redis_server, resilient_cache
):
    login(user_with_role(RoleCode.SWV_DIRECTOR))
    healthy = client.get(reverse("healthz"))
    assert (healthy.status_code, healthy.json()["status"]) == (200, "ok")

    redis_server.stop()
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("organisation_list")).status_code == 200
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "broker": "ok", "cache": "error"}


def test_a_dead_redis_is_dialled_again_only_after_a_pause_and_warned_about_once(
    db, redis_server, resilient_cache, monkeypatch, caplog
):
    monkeypatch.setattr(resilient, "RETRY_AFTER_SECONDS", 0.3)
    dialled = []
    original = redis.connection.Connection.connect
    monkeypatch.setattr(
        redis.connection.Connection,
        "connect",
        lambda self: dialled.append(1) or original(self),
    )
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="thuiszitters.cache"):
        for n in range(20):
            cache.set(f"k{n}", n)
        assert len(dialled) == 1
        assert cache.get_many(["k0", "k19"]) == {"k0": 0, "k19": 19}
        assert cache.incr("k1") == 2 and cache.decr("k1") == 1
        time.sleep(0.4)
        assert cache.get_or_set("k2", "new") == 2
        assert len(dialled) == 2  # tried again after the pause, still down
    warnings = [r for r in caplog.records if r.name == "thuiszitters.cache"]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()


def test_the_cache_is_redis_again_once_it_is_back(db, redis_server, resilient_cache, monkeypatch):
    monkeypatch.setattr(resilient, "RETRY_AFTER_SECONDS", 0.3)
    redis_server.stop()
    cache.set("during", "database")
    assert caches["fallback"].get("during") == "database"

    redis_server.start()  # the same port
    time.sleep(0.4)
    cache.set("after", "redis")
    assert redis_server.client.exists(cache.make_key("after")) == 1
    assert caches["fallback"].get("after") is None
    assert cache.get("after") == "redis"
    assert cache.get("during") is None  # the outage's values stay in the table


def test_publishing_to_a_dead_broker_gives_up_within_seconds(redis_server):
    from kombu.exceptions import OperationalError

    from thuiszitters.celery import app
    from thuiszitters.tasks import heartbeat

    # The worker and beat, by contrast, keep reconnecting for as long as it takes.
    assert app.conf.broker_connection_max_retries is None
    assert app.conf.broker_connection_retry_on_startup is True
    redis_server.stop()
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url, app.conf.broker_transport_options = redis_server.url, {}
    app._pool, app.amqp._producer_pool = None, None  # as test_celery.py: pools of the new URL
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError):
            heartbeat.apply_async(retry=False)
        assert time.monotonic() - started < 3.5  # Celery's default timeout takes 4 to 6 s
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        app._pool, app.amqp._producer_pool = None, None


# --- The work requested during the outage completes after Redis returns -------------------


@pytest.fixture
def redis_broker(redis_server, settings):
    """The Celery app's broker on ``redis_server`` too (its database 1, so the cache never
    flushes a message), with the transport options production uses for Redis."""
    from thuiszitters.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = redis_server.url.removesuffix("/0") + "/1"
    app.conf.broker_transport_options = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": settings.CELERY_BROKER_CONNECTION_TIMEOUT,
    }
    app._pool, app.amqp._producer_pool = None, None  # as test_celery.py: pools of the new URL
    yield app
    app.conf.broker_url, app.conf.broker_transport_options = saved
    app._pool, app.amqp._producer_pool = None, None


def _wait_for(condition, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_work_requested_while_redis_is_down_completes_after_it_returns(
    restore_roles,
    world,
    user_with_role,
    login,
    settings,
    tmp_path,
    redis_server,
    resilient_cache,
    redis_broker,
    monkeypatch,
    caplog,
    mailoutbox,
):
    """Cache and broker on one redis-server, as in production. It stops; a director requests
    the quarterly report and the sweep makes notifications that want e-mail: each gives up
    its publish within seconds (the page redirects, no 5xx) and the rows wait. Redis
    returns; a worker alone does not find the work (its messages were never sent), beat's
    dispatchers send it again and the worker does it, each piece once."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_prerun

    from cases.workflow import Phase
    from escalation.models import Notification, NotificationKind, Step
    from escalation.services.notify import Event, notify
    from escalation.tasks import send_notification_emails
    from reports import pdf
    from reports.models import QuarterlyReport, QuarterlyReportStatus
    from reports.periods import Quarter
    from reports.services import quarterly_reports_watchdog
    from reports.tasks import render_quarterly

    from ..factories.cases import CaseFactory

    app = redis_broker
    settings.MEDIA_ROOT = tmp_path / "media"
    # Mail per message, sent by the minute dispatcher (the default daily digest waits).
    settings.NOTIFICATION_EMAIL_DEFAULT = "each"
    for _ in range(3):
        CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    director = user_with_role(RoleCode.SWV_DIRECTOR)
    casusregisseur = user_with_role(RoleCode.CASUSREGISSEUR)
    client = login(director)
    renders: list[int] = []
    html_to_pdf = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: renders.append(1) or html_to_pdf(html))
    delivered: list[str] = []

    def _delivered(sender=None, **kwargs):
        delivered.append(sender.name)

    # --- Redis stops: the request and the notifications are stored, their messages lost.
    redis_server.stop()
    with caplog.at_level(logging.INFO, logger="thuiszitters.queue"):
        started = time.monotonic()
        response = client.post(
            reverse("quarterly:request"),
            {"scope": f"swv-{world.swv.pk}", "quarter": str(Quarter.of(timezone.localdate()))},
        )
        request_seconds = time.monotonic() - started
        started = time.monotonic()
        with transaction.atomic():  # as the sweep does: notifications and e-mail on commit
            offered = notify(
                [
                    Event(
                        kind=NotificationKind.DEADLINE_WARNING,
                        case_id=None,
                        route_round=1,
                        step=Step.CASUSREGISSEUR,
                        due_on=timezone.localdate() + datetime.timedelta(days=7),
                        users={director.pk, casusregisseur.pk},
                    )
                ]
            )
        notify_seconds = time.monotonic() - started
    assert response.status_code == 302, response.content[:500]
    # The first publish gives up after CELERY_BROKER_CONNECTION_TIMEOUT (2 s); the next
    # ones within queue.PAUSE_SECONDS do not try at all.
    assert request_seconds < 3, f"the request took {request_seconds:.1f}s"
    assert notify_seconds < 0.5, f"the notifications took {notify_seconds:.1f}s"
    assert offered == 2
    not_sent = [r.getMessage() for r in caplog.records if r.name == "thuiszitters.queue"]
    assert [m.split(" not sent")[0] for m in not_sent] == [
        f"Task {render_quarterly.name}",
        f"Task {send_notification_emails.name}",
    ]
    assert "moments ago" in not_sent[1]
    report = QuarterlyReport.objects.get()
    assert (report.status, report.attempts) == (QuarterlyReportStatus.QUEUED, 0)
    mails = Notification.objects.filter(email_wanted=True)
    assert mails.count() == 2 and not mails.filter(emailed_at__isnull=False).exists()

    # --- Redis returns (the same port, empty: nothing was persisted) and a worker starts.
    redis_server.start()
    # Beat's dispatchers run in the worker, another process than the web request's, which
    # has not seen the outage: no pause on publishing there.
    monkeypatch.setattr(queue, "_paused_until", 0.0)
    task_prerun.connect(_delivered, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            time.sleep(2)
            # The worker alone finds nothing: the messages never reached the broker.
            report.refresh_from_db()
            assert (report.status, report.attempts) == (QuarterlyReportStatus.QUEUED, 0)
            assert (delivered, renders, mailoutbox) == ([], [], [])

            # Beat's dispatchers: the watchdog once the report's message is overdue, and
            # the e-mail task it sends every minute (with the schedule's expiry).
            started = time.monotonic()
            later = timezone.now() + datetime.timedelta(
                seconds=settings.REPORT_QUEUE_GRACE_SECONDS + 1
            )
            assert quarterly_reports_watchdog(now=later) == 1
            send_notification_emails.apply_async(expires=60.0)

            def finished() -> bool:
                status = QuarterlyReport.objects.values_list("status", flat=True).get()
                sent = Notification.objects.filter(emailed_at__isnull=False).count()
                if status == QuarterlyReportStatus.FAILED:
                    return True  # stop waiting; the assertion below shows the error
                return status == QuarterlyReportStatus.DONE and sent == 2

            assert _wait_for(finished, timeout=60), "the work did not complete within 60 s"
            done_seconds = time.monotonic() - started
    finally:
        task_prerun.disconnect(_delivered)

    report.refresh_from_db()
    summary = (
        f"{report.status} after {report.attempts} attempt(s), {len(renders)} render(s), "
        f"{len(mailoutbox)} mail(s), {done_seconds:.1f}s after the dispatchers; during the "
        f"outage the request took {request_seconds:.2f}s, the notifications {notify_seconds:.2f}s"
    )
    assert report.status == QuarterlyReportStatus.DONE, f"{summary}: {report.error}"
    assert report.attempts == 1 and len(renders) == 1, summary
    assert sorted(delivered) == sorted([render_quarterly.name, send_notification_emails.name])
    pdfs = sorted((tmp_path / "media").rglob("*.pdf"))
    assert [p.name for p in pdfs] == [report.pdf.name.rsplit("/", 1)[-1]], summary
    assert pdfs[0].read_bytes().startswith(b"%PDF") and report.pages >= 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted([director.email, casusregisseur.email])
    assert not Notification.objects.filter(email_wanted=True, emailed_at__isnull=True).exists()
    print(summary)
