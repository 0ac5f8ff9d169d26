"""The quarterly OOGO report: request, render (in a Celery task) and the frozen figures.

A report is requested in a request (a ``QuarterlyReport`` row, queued) and rendered by the
task ``reports.render_quarterly`` after the commit; never in the request. The figures of a
quarter that has ended are frozen once (``FiguresSnapshot``) by the daily beat task
``reports.freeze_quarter``, so that a past quarter's report shows the figures as they were at
its end, whatever corrections came later. A report of a quarter without a snapshot (the
running quarter, or a quarter before the system froze anything) is computed when rendered
and says so.

The PDF leaves the circle of people who may see cases (it goes to the OOGO): it always shows
suppressed figures (``reports.suppression``) and no personal data at all.
"""

import datetime
import logging
import os
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from thuiszitters.audit import audit_change, audit_record
from thuiszitters.changes import organisations_changed
from thuiszitters.models import AuditAction, Organisation, User
from thuiszitters.queue import enqueue_on_commit

from ..models import FiguresSnapshot, QuarterlyReport, QuarterlyReportStatus
from ..periods import Quarter
from ..scopes import SCOPE_ORGANISATION_KINDS, Scope, report_scopes_for, scope_of_organisation
from ..selectors import TREND_QUARTERS, Period, figures, frozen_figures

logger = logging.getLogger(__name__)


def _lease() -> datetime.timedelta:
    # A render that started longer ago and never finished died with its worker; a newer one
    # is still running elsewhere and is left alone.
    return datetime.timedelta(seconds=settings.REPORT_RENDER_LEASE_SECONDS)


# --- Request ----------------------------------------------------------------------------


def quarterly_report_request(
    *, actor: User, scope: Scope, quarter: Quarter, today: datetime.date | None = None
) -> QuarterlyReport:
    """Queue the OOGO report of ``scope`` for ``quarter``; the task renders it after commit.

    Only for a scope the actor may see aggregates of (else PermissionDenied) and a quarter
    that has started (else ValidationError on ``quarter``).
    """
    if scope.key not in {s.key for s in report_scopes_for(actor)}:
        raise PermissionDenied
    today = today or timezone.localdate()
    if quarter.start > today:
        raise ValidationError(
            {"quarter": _("Dit kwartaal is nog niet begonnen: kies een kwartaal tot en met nu.")}
        )
    from ..tasks import render_quarterly

    with transaction.atomic():
        report = QuarterlyReport.objects.create(
            scope_kind=scope.kind,
            organisation_id=scope.organisation_id,
            year=quarter.year,
            quarter=quarter.number,
            requested_by=actor,
            status=QuarterlyReportStatus.QUEUED,
            dispatched_at=timezone.now(),
        )
        audit_change(
            actor=actor,
            obj=report,
            action=AuditAction.CREATE,
            after={
                "scope_kind": report.scope_kind,
                "organisation": report.organisation_id,
                "year": report.year,
                "quarter": report.quarter,
                "status": report.status,
            },
            reason="quarterly report requested",
            organisation=Organisation.objects.get(pk=scope.organisation_id),
        )
        enqueue_on_commit(render_quarterly, report_id=report.pk)
    return report


def quarterly_report_retry(*, actor: User, report: QuarterlyReport) -> QuarterlyReport:
    """Queue a failed report again, with fresh attempts: for whoever may request a report
    of its scope (else PermissionDenied)."""
    from ..tasks import render_quarterly

    scope = scope_of_organisation(report.organisation)
    if scope.key not in {s.key for s in report_scopes_for(actor)}:
        raise PermissionDenied
    with transaction.atomic():
        updated = QuarterlyReport.objects.filter(
            pk=report.pk, status=QuarterlyReportStatus.FAILED
        ).update(
            status=QuarterlyReportStatus.QUEUED,
            attempts=0,
            error="",
            started_at=None,
            finished_at=None,
            dispatched_at=timezone.now(),
        )
        if not updated:
            raise ValidationError(_("Alleen een mislukte rapportage kan opnieuw worden gemaakt."))
        audit_change(
            actor=actor,
            obj=report,
            action=AuditAction.UPDATE,
            before={"status": QuarterlyReportStatus.FAILED},
            after={"status": QuarterlyReportStatus.QUEUED},
            reason="quarterly report retried",
            organisation=report.organisation,
        )
        enqueue_on_commit(render_quarterly, report_id=report.pk)
    report.refresh_from_db()
    return report


def quarterly_reports_watchdog(*, now: datetime.datetime | None = None) -> int:
    """Beat's every-minute look at unfinished reports (the outbox dispatcher of renders):

    - queued longer than ``REPORT_QUEUE_GRACE_SECONDS`` since its task was sent (the broker
      was down, or the message was lost): the task is sent again;
    - rendering longer than the lease (its worker died): queued again and sent, or, after
      ``REPORT_RENDER_MAX_ATTEMPTS`` renders, failed with the reason, for the user to retry.

    A task sent twice is harmless (the render claims the row). Returns the reports touched.
    """
    from ..tasks import render_quarterly

    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.REPORT_QUEUE_GRACE_SECONDS)
    touched = 0
    with transaction.atomic():
        stale = list(
            QuarterlyReport.objects.select_for_update(skip_locked=True)
            .filter(status=QuarterlyReportStatus.RENDERING, started_at__lt=now - _lease())
            .values_list("pk", "attempts")
        )
        given_up = [pk for pk, attempts in stale if attempts >= settings.REPORT_RENDER_MAX_ATTEMPTS]
        if given_up:
            QuarterlyReport.objects.filter(pk__in=given_up).update(
                status=QuarterlyReportStatus.FAILED,
                finished_at=now,
                error=_(
                    "Het maken van de rapportage is %(n)s keer afgebroken. Probeer het opnieuw; "
                    "lukt het dan niet, neem contact op met de beheerder."
                )
                % {"n": settings.REPORT_RENDER_MAX_ATTEMPTS},
            )
            logger.error("quarterly reports %s given up after their renders died", given_up)
        requeued = [pk for pk, _attempts in stale if pk not in set(given_up)]
        QuarterlyReport.objects.filter(pk__in=requeued).update(
            status=QuarterlyReportStatus.QUEUED, started_at=None
        )
        waiting = list(
            QuarterlyReport.objects.select_for_update(skip_locked=True)
            .filter(status=QuarterlyReportStatus.QUEUED)
            .filter(
                Q(dispatched_at__isnull=True)
                | Q(dispatched_at__lt=now - grace)
                | Q(pk__in=requeued)
            )
            .values_list("pk", flat=True)
        )
        QuarterlyReport.objects.filter(pk__in=waiting).update(dispatched_at=now)
        for pk in waiting:
            enqueue_on_commit(render_quarterly, report_id=pk)
        touched = len(given_up) + len(waiting)
    if touched:
        logger.warning(
            "watchdog: %s quarterly reports sent again, %s given up", len(waiting), len(given_up)
        )
    return touched


# --- Render -----------------------------------------------------------------------------


def _claim(report_id: int, now: datetime.datetime) -> QuarterlyReport | None:
    """Mark the report rendering, or None when there is nothing to do (done, failed, or
    being rendered by another worker right now)."""
    with transaction.atomic():
        report = (
            QuarterlyReport.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk=report_id)
            .first()
        )
        if report is None:
            return None
        if report.status == QuarterlyReportStatus.RENDERING:
            if report.started_at and now - report.started_at < _lease():
                return None
        elif report.status != QuarterlyReportStatus.QUEUED:
            return None
        report.status = QuarterlyReportStatus.RENDERING
        report.started_at = now
        report.error = ""
        report.attempts += 1
        report.save(update_fields=["status", "started_at", "error", "attempts"])
        return report


def _figures_for(
    report: QuarterlyReport, today: datetime.date, frozen: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], FiguresSnapshot | None]:
    snapshot = FiguresSnapshot.objects.filter(
        organisation_id=report.organisation_id, year=report.year, quarter=report.quarter
    ).first()
    if snapshot is not None:
        return snapshot.figures, snapshot
    quarter = Quarter(report.year, report.quarter)
    scope = scope_of_organisation(report.organisation)
    return figures(scope, Period.of_quarter(quarter), today=today, frozen=frozen), None


def _earlier_frozen(report: QuarterlyReport) -> dict[str, dict[str, Any]]:
    quarter = Quarter(report.year, report.quarter)
    return frozen_figures(scope_of_organisation(report.organisation), quarter.last(TREND_QUARTERS))


def pdf_filename(report: QuarterlyReport) -> str:
    slug = slugify(report.organisation.name)[:60] or "rapportage"
    return f"oogo-{slug}-{report.year}-Q{report.quarter}-{report.pk}.pdf"


def _remove_strays(report: QuarterlyReport) -> None:
    """Delete the files a render killed between writing its PDF and its commit left of
    this report (the storage named the next one ``<name>_<7 characters>.pdf``)."""
    folder, stored = os.path.split(report.pdf.name)
    stem = pdf_filename(report).removesuffix(".pdf")
    own = re.compile(re.escape(stem) + r"(_[A-Za-z0-9]{7})?\.pdf")
    storage = report.pdf.storage
    try:
        names = storage.listdir(folder)[1]
    except (FileNotFoundError, NotImplementedError):
        return
    for name in names:
        if name != stored and own.fullmatch(name):
            storage.delete(os.path.join(folder, name))
            logger.warning("quarterly report %s: removed %s of a render that died", report.pk, name)


def quarterly_report_render(
    *, report_id: int, today: datetime.date | None = None
) -> QuarterlyReport | None:
    """The body of the task: figures (frozen when there is a snapshot), suppressed, to PDF,
    stored with the row. Safe to run twice: a report that is done, failed or being rendered
    is left alone. A failure marks the report failed with a short reason and is not raised
    again: the user requests a new report (a retry would fail the same way)."""
    from ..pdf import html_to_pdf, report_html
    from ..suppression import suppressed

    now = timezone.now()
    report = _claim(report_id, now)
    if report is None:
        return None
    today = today or timezone.localdate()
    try:
        frozen = _earlier_frozen(report)
        raw, snapshot = _figures_for(report, today, frozen)
        html = report_html(
            suppressed(raw, frozen),
            scope_kind=report.scope_kind,
            snapshot=snapshot,
            generated_at=timezone.localtime(),
        )
        rendered = html_to_pdf(html)
        with transaction.atomic():
            current = (
                QuarterlyReport.objects.select_for_update()
                .filter(pk=report_id)
                .values_list("status", "started_at")
                .first()
            )
            if current != (QuarterlyReportStatus.RENDERING, now):
                return None  # taken over by another worker after the lease: theirs counts
            report.pdf.save(pdf_filename(report), ContentFile(rendered.content), save=False)
            report.pages = rendered.pages
            report.size_bytes = len(rendered.content)
            report.from_snapshot = snapshot is not None
            report.status = QuarterlyReportStatus.DONE
            report.finished_at = timezone.now()
            report.save(
                update_fields=[
                    "pdf",
                    "pages",
                    "size_bytes",
                    "from_snapshot",
                    "status",
                    "finished_at",
                ]
            )
        _remove_strays(report)
    except Exception as exc:  # recorded on the report and logged; see the docstring
        logger.exception("quarterly report %s failed", report_id)
        if report.pdf:
            report.pdf.delete(save=False)
        QuarterlyReport.objects.filter(pk=report_id).update(
            status=QuarterlyReportStatus.FAILED,
            finished_at=timezone.now(),
            # The type only: a message could quote data; the log has the traceback.
            error=_("Het maken van de rapportage is mislukt (%(kind)s).")
            % {"kind": type(exc).__name__},
        )
        report.refresh_from_db()
    return report


# --- Download ---------------------------------------------------------------------------


def quarterly_report_open(*, report: QuarterlyReport, actor: User, channel: str) -> "File[bytes]":
    """The stored PDF of a finished report, open for reading, with the export audited.

    The page and the API both download through here. A report that is not done, or whose
    file is gone (a restore without the media, a removed file), is Http404 and nothing is
    audited: the audit log records exports that happened. The caller closes the file
    (``FileResponse`` does).
    """
    if report.status != QuarterlyReportStatus.DONE or not report.pdf:
        raise Http404
    try:
        handle: File[bytes] = report.pdf.open("rb")
    except FileNotFoundError as exc:
        logger.warning("quarterly report %s: stored file %s is missing", report.pk, report.pdf.name)
        raise Http404 from exc
    try:
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            obj=report,
            organisation=report.organisation,
            changes={"year": report.year, "quarter": report.quarter, "size": report.size_bytes},
            reason="quarterly report downloaded" + (" (API)" if channel == "api" else ""),
        )
    except BaseException:
        handle.close()
        raise
    return handle


# --- Frozen figures ---------------------------------------------------------------------


def figures_freeze(
    *, scope: Scope, quarter: Quarter, today: datetime.date | None = None
) -> tuple[FiguresSnapshot, bool]:
    """Freeze the figures of ``scope`` for ``quarter`` once; (snapshot, created).

    Only for a quarter that has ended (else ValueError). A second call returns the frozen
    row unchanged, also when two workers freeze at the same time (unique constraint).
    """
    today = today or timezone.localdate()
    if quarter.end >= today:
        raise ValueError(f"{quarter} has not ended on {today}")
    lookup = {"organisation_id": scope.organisation_id, "year": quarter.year}
    existing = FiguresSnapshot.objects.filter(**lookup, quarter=quarter.number).first()
    if existing is not None:
        return existing, False
    frozen = figures(scope, Period.of_quarter(quarter), today=today)
    try:
        with transaction.atomic():
            snapshot, created = FiguresSnapshot.objects.get_or_create(
                **lookup,
                quarter=quarter.number,
                defaults={"scope_kind": scope.kind, "figures": frozen},
            )
            if created:  # the quarter is published as frozen from now on
                organisations_changed([scope.organisation_id])
            return snapshot, created
    except IntegrityError:
        return FiguresSnapshot.objects.get(**lookup, quarter=quarter.number), False


def figures_freeze_ended_quarter(*, today: datetime.date | None = None) -> int:
    """Freeze the previous quarter of every SWV, municipality and region that has no
    snapshot of it yet; the number frozen now. Run daily by beat: the first run of a new
    quarter freezes, every later run finds nothing to do."""
    today = today or timezone.localdate()
    quarter = Quarter.of(today).previous()
    done = set(
        FiguresSnapshot.objects.filter(year=quarter.year, quarter=quarter.number).values_list(
            "organisation_id", flat=True
        )
    )
    organisations = Organisation.objects.filter(kind__in=list(SCOPE_ORGANISATION_KINDS)).exclude(
        pk__in=done
    )
    created = 0
    for organisation in organisations.order_by("pk"):
        _snapshot, new = figures_freeze(
            scope=scope_of_organisation(organisation), quarter=quarter, today=today
        )
        created += new
    return created
