"""End-to-end tests: Playwright driving Debian's Chromium against pytest-django's live server.

Without /usr/bin/chromium these tests are skipped, unless E2E_REQUIRED=1 (CI) makes a
missing browser a failure. Playwright's own browser download is never used.
"""

import contextlib
import io
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
TIMEOUT_MS = 10_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    # Under pytest-xdist (``--dist loadgroup``, as bin/test runs) all browser tests go to one
    # worker: one Chromium and one live server, while the other workers run the rest.
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.xdist_group("browser"))
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("E2E_REQUIRED") == "1":
        raise pytest.UsageError(f"E2E_REQUIRED=1 but no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' ORM calls are safe
    # because they never overlap with the browser's requests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class _InFlight:
    """The live server's requests still being handled (it answers in threads of this process).
    A test's end empties the database; a request still running then (a badge's poll) holds
    locks that the emptying waits for while the request waits for it: a deadlock.

    ``one_at_a_time``: on SQLite in memory every request thread shares the test's one
    connection, and two requests on it at once (a page and its badge's poll) could hang both;
    they are then handled one after the other."""

    def __init__(self, one_at_a_time: bool) -> None:
        self.one_at_a_time = one_at_a_time
        self.count = 0
        self.changed = threading.Condition()
        self.turn = threading.Lock() if one_at_a_time else contextlib.nullcontext()

    def wrap(self, handle):
        def counted(handler, environ, start_response):
            with self.changed:
                self.count += 1
            try:
                with self.turn:
                    return handle(handler, environ, start_response)
            finally:
                with self.changed:
                    self.count -= 1
                    self.changed.notify_all()

        return counted

    def wait_until_idle(self, seconds: float = TIMEOUT_MS / 1000) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count == 0, timeout=seconds)


@pytest.fixture(scope="session")
def in_flight(django_db_setup):
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    counter = _InFlight(connection.vendor == "sqlite" and connection.is_in_memory_db())
    handle = WSGIHandler.__call__
    WSGIHandler.__call__ = counter.wrap(handle)
    yield counter
    WSGIHandler.__call__ = handle


@pytest.fixture
def celery_worker(live_server, in_flight):
    """A real Celery worker (a thread of this process, on the test settings' broker) beside
    the live server, as a context manager. On SQLite in memory its tasks run on the live
    server's one connection, one at a time with the requests: a second connection to the
    shared in-memory database meets "database table is locked" instead of waiting."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun, task_prerun
    from django.db import connections

    from thuiszitters.celery import app

    def running():
        worker = start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10)
        return on_the_shared_connection(worker) if in_flight.one_at_a_time else worker

    @contextlib.contextmanager
    def on_the_shared_connection(worker):
        shared = connections["default"]

        def before(**kwargs):
            in_flight.turn.acquire()
            connections["default"] = shared

        def after(**kwargs):
            in_flight.turn.release()

        shared.inc_thread_sharing()
        task_prerun.connect(before, weak=False)
        task_postrun.connect(after, weak=False)
        try:
            with worker:
                yield
        finally:
            task_prerun.disconnect(before)
            task_postrun.disconnect(after)
            shared.dec_thread_sharing()

    return running


TRACE_SCRIPT = Path(__file__).with_name("htmx_trace.js")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    trace = getattr(item, "browser_trace", None)
    if report.failed and trace:
        report.sections.append(("browser trace (htmx_trace.js)", "\n".join(trace[-150:])))
    return report


@pytest.fixture
def page(request, browser, live_server, in_flight):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.add_init_script(path=TRACE_SCRIPT)
    page = context.new_page()
    trace: list[str] = []
    request.node.browser_trace = trace
    page.on(
        "console",
        lambda m: trace.append(f"{page.url} {m.text}") if m.text.startswith("[trace]") else None,
    )
    page.on("pageerror", lambda error: trace.append(f"{page.url} page error: {error}"))
    page.set_default_timeout(TIMEOUT_MS)
    # Assertions wait as long as actions (their own default is 5 s): on a busy machine a live
    # check whose answer is dropped and asked again (static/js/live-check.js) takes longer.
    expect.set_options(timeout=TIMEOUT_MS)
    yield page
    # No new requests (polls) once the page is gone; then let the running ones finish
    # before the database is emptied.
    context.close()
    in_flight.wait_until_idle()


def second_factor_pass(page, email: str, *, app_page: bool = True):
    """On the setup or verify page after the password: give the code the user's
    authenticator app would show (computed from the device's key, as the app does), and on
    a first login leave the recovery codes page. Returns the recovery codes shown, if any."""
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    from tests.factories.second_factor import totp_token

    setup, verify = reverse("second_factor_setup"), reverse("second_factor_verify")
    page.wait_for_url(lambda url: urlsplit(url).path in (setup, verify))
    device = TOTPDevice.objects.filter(user__email=email).order_by("-confirmed").first()
    page.get_by_label("Code", exact=True).fill(totp_token(device))
    if urlsplit(page.url).path == setup:
        page.get_by_role("button", name="Instellen").click()
        codes = page.get_by_test_id("recovery-codes").get_by_role("listitem").all_inner_texts()
        page.get_by_role("link", name="Ik heb de codes bewaard, verder").click()
    else:
        codes = []
        page.get_by_role("button", name="Controleren").click()
        page.wait_for_url(lambda url: urlsplit(url).path != verify)
    if app_page:  # the application's pages (not the admin's) have this button
        expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    return codes


# The demo region as the first browser test of the day seeded it, kept by table: seeding
# takes 15-30 s through the services, putting the rows back well under one.
_demo_copy: dict[str, object] = {}


@pytest.fixture
def demo(settings, restore_roles):
    """The demo region, seeded for the test; its users' password.

    On PostgreSQL the first test seeds it and keeps a copy of every table (``COPY`` into
    memory); later tests get the same rows back (the live server's tests empty the database
    after each one). The copy is of today: the demo's dates are relative to the day of the
    seed. On SQLite every test seeds again. (A copy there, by ``VACUUM INTO`` and
    ``INSERT ... SELECT``, was tried and taken out while the director's test failed with
    "database table is locked"; it then failed the same way with a fresh seed, so that is
    the Celery worker's own connection to the shared in-memory database, not the copy.)"""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from thuiszitters.changes import everything_changed
    from thuiszitters.demo import demo_region_seed

    if connection.vendor != "postgresql":
        demo_region_seed()
    elif _demo_copy.get("day") == timezone.localdate():
        _PostgresCopy.restore(connection, _demo_copy["tables"])
        # The content types were made again after the last test's flush, with other ids.
        ContentType.objects.clear_cache()
        everything_changed()
    else:
        demo_region_seed()
        _demo_copy.update(day=timezone.localdate(), tables=_PostgresCopy.take(connection))
    return settings.DEMO_PASSWORD


def _table_names(connection) -> list[str]:
    return [
        name
        for name in connection.introspection.table_names(include_views=False)
        if name != "django_migrations"
    ]


class _PostgresCopy:
    @staticmethod
    def take(connection) -> list[tuple[str, bytes]]:
        copied = []
        with connection.cursor() as cursor:
            for name in map(connection.ops.quote_name, _table_names(connection)):
                buffer = io.BytesIO()
                with cursor.cursor.copy(f"COPY {name} TO STDOUT") as copy:
                    for chunk in copy:
                        buffer.write(chunk)
                if buffer.tell():
                    copied.append((name, buffer.getvalue()))
        return copied

    @staticmethod
    def restore(connection, copied: list[tuple[str, bytes]]) -> None:
        """Every table emptied and the copied rows put back, in one transaction (Django's
        foreign keys are checked at commit, so the order of the tables does not matter).
        The sequences are left alone: they only grew since the copy."""
        from django.db import transaction

        with transaction.atomic(), connection.cursor() as cursor:
            names = map(connection.ops.quote_name, _table_names(connection))
            cursor.execute(f"TRUNCATE {', '.join(names)}")
            for name, data in copied:
                with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy:
                    copy.write(data)


@pytest.fixture
def log_in(page):
    """Log in through the form (password, then the second factor: set up on the first login)
    and return once the signed-in page after it has loaded."""
    from django.urls import reverse

    login_path = reverse("login")

    def do(email: str, password: str):
        page.goto(login_path)
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord").fill(password)
        page.get_by_role("button", name="Inloggen").click()
        # A glob such as "**/" also matches the login page itself and would not wait: wait
        # until the browser has left it (a refused login stays there and times out here).
        page.wait_for_url(lambda url: urlsplit(url).path != login_path)
        second_factor_pass(page, email)
        return page

    return do
