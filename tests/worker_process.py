"""A real Celery worker in a process of its own, for fault tests that kill it with SIGKILL.

``WorkerPool`` starts ``celery -A thuiszitters worker --pool=solo`` as a subprocess with the
development settings, on the test's PostgreSQL database, and points this process's Celery
app at the same filesystem broker (a folder under the test's ``tmp_path``), so that what the
test publishes, the worker takes. The worker stores its media under the same folder and sends
its e-mail through ``FileMailBackend``: one file per message, the relay that "took" it.

``RowGate`` holds a worker at a chosen statement (a test-only trigger), so that a kill lands
at the same point every run. The worker is killed by its pid only; whatever is left gets
SIGKILL at teardown.
"""

import contextlib
import email
import email.policy
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from thuiszitters.celery import app

REPO = Path(__file__).resolve().parent.parent
MAIL_DIR_ENV = "THUISZITTERS_TEST_MAIL_DIR"
MAIL_DELAY_ENV = "THUISZITTERS_TEST_MAIL_DELAY"
WORKER_COMMAND = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "thuiszitters",
    "worker",
    "--pool=solo",
    "--concurrency=1",
    "-Q",
    "celery",
    "--without-heartbeat",
    "--without-mingle",
    "--without-gossip",
    "-l",
    "warning",
]


class FileMailBackend(BaseEmailBackend):
    """The relay of the worker under test: each message it takes is one ``.eml`` file in
    ``$THUISZITTERS_TEST_MAIL_DIR``, written whole (renamed into place), after a pause of
    ``$THUISZITTERS_TEST_MAIL_DELAY`` seconds (a slow relay, so that a kill lands mid-send)."""

    def send_messages(self, email_messages):
        folder = Path(os.environ[MAIL_DIR_ENV])
        delay = float(os.environ.get(MAIL_DELAY_ENV) or 0)
        for message in email_messages:
            if delay:
                time.sleep(delay)
            name = uuid.uuid4().hex
            partial = folder / f".{name}.partial"
            partial.write_bytes(message.message().as_bytes())
            os.replace(partial, folder / f"{name}.eml")
        return len(email_messages)


def mail_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.eml"))


def read_mail(path: Path) -> email.message.Message:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def database_url() -> str:
    """The URL of the database this test process uses (the test database)."""
    s = connection.settings_dict
    user = quote(s.get("USER") or "postgres", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"


def _drop_connection_pools() -> None:
    # What Celery does after a fork: the next publish builds pools for the new broker.
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(condition: Callable[[], object], *, timeout: float, interval: float = 0.05) -> object:
    """Poll ``condition`` until it returns something true (returned) or ``timeout`` passes
    (its last value is returned)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class RowGate:
    """A test-only trigger that stops a worker at a chosen statement, on PostgreSQL.

    Inside ``with RowGate(Model, "field", value, event="INSERT")``, a statement that writes
    (``event``: INSERT or UPDATE) a row of ``Model`` whose ``field`` is ``value`` waits in
    the trigger for an advisory lock this connection holds, inside its transaction, until
    ``open()``. ``waiting()`` lists the backends held there. The trigger is dropped on exit
    (after the held transaction ended: a dead worker's is rolled back when the gate opens).
    """

    KEY = 0x7E57_6A7E
    NAME = "test_row_gate"

    def __init__(self, model, field: str, value: str, *, event: str = "INSERT"):
        assert event in {"INSERT", "UPDATE"}
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.column = connection.ops.quote_name(model._meta.get_field(field).column)
        self.value, self.event = value, event

    def __enter__(self) -> "RowGate":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [self.KEY])
            # A function body takes no bound parameters: the values are quoted here.
            create = (
                f"CREATE FUNCTION {self.NAME}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.{self.column} = %s THEN PERFORM pg_advisory_xact_lock_shared(%s); "
                "END IF; RETURN NEW; END $$"
            )
            cursor.execute(connection.ops.compose_sql(create, [str(self.value), self.KEY]))
            cursor.execute(
                f"CREATE TRIGGER {self.NAME} BEFORE {self.event} ON {self.table} "
                f"FOR EACH ROW EXECUTE FUNCTION {self.NAME}()"
            )
        return self

    def open(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_all()")

    def waiting(self) -> list[tuple[int, str]]:
        """The backends held at the gate: (pid, statement)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
            )
            return cursor.fetchall()

    def __exit__(self, *exc_info) -> None:
        self.open()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {self.NAME} ON {self.table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {self.NAME}()")


def backend_gone(pid: int) -> bool:
    """The database session ``pid`` has ended (its open transaction rolled back)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is None


class WorkerPool:
    """Workers of one test, sharing a broker folder, a media folder and a mail folder with
    the test process. ``start()`` one, ``kill(worker)`` it with SIGKILL, ``close()`` at the
    end kills whatever still runs and gives this process's app its broker back."""

    def __init__(self, root: Path, **env: str):
        self.root = root
        self.var = root / "var"
        self.media = root / "media"
        self.mail = root / "mail"
        self.broker = self.var / "broker"
        self.logs = root / "logs"
        for folder in (self.media, self.mail, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        options = {
            "data_folder_in": str(self.broker / "queue"),
            "data_folder_out": str(self.broker / "queue"),
            "processed_folder": str(self.broker / "processed"),
            "control_folder": str(self.broker / "control"),
            "store_processed": False,
        }
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
        self.env = {
            key: value
            for key, value in os.environ.items()
            # The worker gets its own settings, broker and cache (local memory).
            if key not in {"REDIS_URL", "CELERY_BROKER_URL", "PYTEST_XDIST_WORKER"}
        } | {
            "DJANGO_SETTINGS_MODULE": "thuiszitters.settings.dev",
            "DEBUG": "false",
            "VAR_DIR": str(self.var),  # the filesystem broker: VAR_DIR/broker
            "MEDIA_ROOT": str(self.media),
            "CELERY_BROKER_URL": "filesystem://",
            "DATABASE_URL": database_url(),
            "EMAIL_BACKEND": f"{__name__}.FileMailBackend",
            MAIL_DIR_ENV: str(self.mail),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.workers: list[subprocess.Popen] = []
        self._saved = (app.conf.broker_url, app.conf.broker_transport_options)
        app.conf.broker_url, app.conf.broker_transport_options = "filesystem://", options
        _drop_connection_pools()

    def start(self, **env: str) -> subprocess.Popen:
        log = self.logs / f"worker-{len(self.workers) + 1}.log"
        with log.open("wb") as out:
            worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                WORKER_COMMAND,
                cwd=REPO,
                env=self.env | env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker.log = log  # type: ignore[attr-defined]
        self.workers.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen) -> None:
        """SIGKILL: no shutdown, no ack, no rollback but the database's own."""
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def settle(self, timeout: float) -> bool:
        """Send a heartbeat behind whatever is queued and wait until it ran: the solo worker
        takes its tasks one at a time in order, so everything sent before has finished."""
        from thuiszitters.models import SystemHeartbeat
        from thuiszitters.tasks import heartbeat

        SystemHeartbeat.objects.filter(name="celery").delete()
        heartbeat.delay()
        return bool(wait_for(SystemHeartbeat.objects.filter(name="celery").exists, timeout=timeout))

    def logs_tail(self, chars: int = 3000) -> str:
        return "\n".join(
            f"--- {w.log.name} (exit {w.poll()}):\n{w.log.read_text(errors='replace')[-chars:]}"
            for w in self.workers
        )

    def close(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
                self.kill(worker)
        app.conf.broker_url, app.conf.broker_transport_options = self._saved
        _drop_connection_pools()
