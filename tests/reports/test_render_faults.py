"""A real worker process killed with SIGKILL while it renders a quarterly report, on PostgreSQL.

The report row is the outbox entry of its render (``reports.services.quarterly``): the dead
worker leaves it ``rendering``; inside the lease the watchdog leaves it alone, after the
lease it queues it again and sends the task; the next worker renders it. One PDF is stored,
the row counts two attempts, and a task sent once more changes nothing.

The worker is ``celery -A thuiszitters worker --pool=solo`` in a process of its own
(``tests/worker_process.py``), on the test database and this test's media folder, sharing a
filesystem broker with this process.
"""

import datetime
import time

import pytest
from django.db import connection
from django.utils import timezone

from cases.workflow import Phase
from reports.models import QuarterlyReport, QuarterlyReportStatus
from reports.periods import Quarter
from reports.scopes import report_scopes_for
from reports.services import quarterly_report_request, quarterly_reports_watchdog
from reports.tasks import render_quarterly
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..worker_process import RowGate, WorkerPool, backend_gone, wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a worker process needs a shared PostgreSQL"
    ),
]

LEASE_SECONDS = 3


@pytest.fixture
def workers(tmp_path, settings):
    settings.REPORT_RENDER_LEASE_SECONDS = LEASE_SECONDS
    pool = WorkerPool(tmp_path, REPORT_RENDER_LEASE_SECONDS=str(LEASE_SECONDS))
    settings.MEDIA_ROOT = pool.media  # report.pdf.path as the worker stored it
    yield pool
    pool.close()


def _request(world, user_with_role) -> QuarterlyReport:
    for _ in range(4):
        CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    director = user_with_role(RoleCode.SWV_DIRECTOR)
    scope = next(s for s in report_scopes_for(director) if s.organisation_id == world.swv.pk)
    return quarterly_report_request(
        actor=director, scope=scope, quarter=Quarter.of(timezone.localdate())
    )


def _take_over(report: QuarterlyReport, workers: WorkerPool) -> float:
    """After the lease the watchdog queues the dead render again; the next worker renders
    it. Returns the seconds from the watchdog to the end of the render."""
    started_at = QuarterlyReport.objects.values_list("started_at", flat=True).get(pk=report.pk)
    lease_end = started_at + datetime.timedelta(seconds=LEASE_SECONDS)
    time.sleep(max((lease_end - timezone.now()).total_seconds(), 0) + 0.2)
    started = time.monotonic()
    assert quarterly_reports_watchdog(now=timezone.now()) == 1  # queued and sent again
    done = wait_for(
        lambda: _status(report.pk) in {QuarterlyReportStatus.DONE, QuarterlyReportStatus.FAILED},
        timeout=60,
        interval=0.1,
    )
    elapsed = time.monotonic() - started
    assert done, f"status {_status(report.pk)} after {elapsed:.0f}s\n{workers.logs_tail()}"
    return elapsed


def _status(pk: int) -> str:
    return QuarterlyReport.objects.values_list("status", flat=True).get(pk=pk)


def test_a_render_killed_midway_is_taken_over_after_the_lease_and_stored_once(
    restore_roles, world, user_with_role, workers
):
    first = workers.start()
    report = _request(world, user_with_role)  # committed; the task is sent after the commit
    rendering = wait_for(
        lambda: _status(report.pk) == QuarterlyReportStatus.RENDERING, timeout=40, interval=0.02
    )
    assert rendering, f"status {_status(report.pk)}\n{workers.logs_tail()}"
    workers.kill(first)
    time.sleep(0.3)  # a statement the worker sent just before it died ends on the server

    report.refresh_from_db()
    pdfs = sorted(workers.media.rglob("*.pdf"))
    # Killed in the middle: claimed, nothing stored.
    assert (report.status, report.attempts, report.pdf.name, pdfs) == (
        QuarterlyReportStatus.RENDERING,
        1,
        "",
        [],
    ), f"the kill came too late: {report.status}, {pdfs}"
    # Inside the lease the render may still be running elsewhere: left alone.
    assert quarterly_reports_watchdog() == 0
    assert _status(report.pk) == QuarterlyReportStatus.RENDERING

    second = workers.start()
    elapsed = _take_over(report, workers)

    # A task sent once more (a redelivery, the watchdog's and the request's both arriving)
    # finds the report done.
    render_quarterly.delay(report_id=report.pk)
    assert workers.settle(timeout=30), workers.logs_tail()
    assert second.poll() is None, workers.logs_tail()

    report.refresh_from_db()
    pdfs = sorted(workers.media.rglob("*.pdf"))
    summary = (
        f"{report.status} after {report.attempts} attempts, {elapsed:.1f}s after the "
        f"watchdog; files {[p.name for p in pdfs]}"
    )
    assert report.status == QuarterlyReportStatus.DONE, f"{summary}: {report.error}"
    assert report.attempts == 2, summary
    assert pdfs == [workers.media / report.pdf.name], summary
    assert pdfs[0].read_bytes().startswith(b"%PDF"), summary
    assert pdfs[0].stat().st_size == report.size_bytes, summary
    print(summary)


def test_a_render_killed_between_storing_the_file_and_the_commit_leaves_no_stray_file(
    restore_roles, world, user_with_role, workers
):
    """The narrowest window: the PDF is written to the media folder inside the render's last
    transaction, before the row says so. Held there (a test-only trigger on the row's
    update to done) and killed, the file is on disk and the row does not know it."""
    with RowGate(QuarterlyReport, "status", QuarterlyReportStatus.DONE, event="UPDATE") as gate:
        first = workers.start()
        report = _request(world, user_with_role)
        waiting = wait_for(gate.waiting, timeout=40)
        assert waiting, f"status {_status(report.pk)}\n{workers.logs_tail()}"
        [(backend, statement)] = waiting
        assert statement.lstrip().upper().startswith("UPDATE"), statement
        written = sorted(workers.media.rglob("*.pdf"))
        workers.kill(first)
        gate.open()
        assert wait_for(lambda: backend_gone(backend), timeout=10)

    report.refresh_from_db()
    assert (report.status, report.attempts, report.pdf.name) == (
        QuarterlyReportStatus.RENDERING,
        1,
        "",
    )
    assert len(written) == 1, written  # the dead render's file, written before the commit

    workers.start()
    elapsed = _take_over(report, workers)
    report.refresh_from_db()
    pdfs = sorted(workers.media.rglob("*.pdf"))
    stored = workers.media / report.pdf.name
    summary = (
        f"{report.status} after {report.attempts} attempts, {elapsed:.1f}s after the "
        f"watchdog; files {[p.name for p in pdfs]}"
    )
    assert report.status == QuarterlyReportStatus.DONE, f"{summary}: {report.error}"
    assert report.attempts == 2, summary
    assert stored in pdfs, summary
    print(summary)
    # The dead render's file, written before its commit, is removed by the takeover.
    assert pdfs == [stored], summary
