"""Celery tasks of reports: thin wrappers that call one service each (STYLE.md 12)."""

from celery import shared_task


@shared_task(name="reports.render_quarterly", ignore_result=True, acks_late=True)
def render_quarterly(report_id: int) -> str:
    """Sent after the commit of ``quarterly_report_request``: render the report to PDF.

    A second run (a redelivery after a lost worker, a double send) finds the report done,
    failed or being rendered and returns without doing anything; only a render that
    started longer ago than the lease and never finished is taken over
    (``REPORT_RENDER_LEASE_SECONDS``; the watchdog also sends it again, ADR 0022).
    """
    from .services import quarterly_report_render

    report = quarterly_report_render(report_id=report_id)
    return report.status if report is not None else "skipped"


@shared_task(name="reports.freeze_quarter", ignore_result=True)
def freeze_quarter() -> int:
    """Sent daily by beat: freeze the figures of the quarter that ended for every SWV,
    municipality and region. Harmless to repeat: a frozen quarter is never frozen again
    (unique per organisation and quarter), so later runs in the quarter do nothing."""
    from .services import figures_freeze_ended_quarter

    return figures_freeze_ended_quarter()


@shared_task(name="reports.watchdog", ignore_result=True)
def watchdog() -> int:
    """Sent by beat every minute: send again the renders a lost message or a dead worker
    left, and give up on a report whose renders keep dying (ADR 0022)."""
    from .services import quarterly_reports_watchdog

    return quarterly_reports_watchdog()
