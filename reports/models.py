"""What reports keep: frozen thuiszitterslijsten, frozen quarterly figures and the PDF jobs.

Everything else in this app only reads (selectors over cases, registration and escalation).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    SWV = "swv", _("Samenwerkingsverband")
    MUNICIPALITY = "municipality", _("Gemeente")
    REGION = "region", _("Regio")


class Definition(models.TextChoices):
    """The two thuiszitter definitions of DESIGN.md 4.5, always shown side by side."""

    NARROW = "narrow", _("Smalle definitie (Inspectie)")
    BROAD = "broad", _("Brede definitie")


class ThuiszitterslijstSnapshot(models.Model):
    """The list of thuiszitters of one SWV or municipality on a date, frozen as it was.

    Rotterdam's leerplicht fixes such a list every three weeks; a past list is shown again
    from these rows, never recomputed.
    """

    scope_kind = models.CharField(_("soort"), max_length=12, choices=ScopeKind.choices)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField(_("peildatum"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("toelichting"), blank=True)
    narrow_count = models.PositiveIntegerField(default=0)
    broad_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("vastgestelde thuiszitterslijst")
        verbose_name_plural = _("vastgestelde thuiszitterslijsten")
        ordering = ["-on", "-created_at"]
        indexes = [models.Index(fields=["organisation", "-on"], name="reports_list_org_on_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.on:%Y-%m-%d}"


class ThuiszitterslijstEntry(models.Model):
    """One pupil on a frozen list, with what the list showed at the time."""

    snapshot = models.ForeignKey(
        ThuiszitterslijstSnapshot, on_delete=models.CASCADE, related_name="entries"
    )
    # CASCADE: when retention purges the case, its line goes too (the snapshot's counts
    # still say how many were on the list).
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    # Frozen copies: the list must read the same after the case moves on.
    pupil_name = models.CharField(max_length=420)
    date_of_birth = models.DateField()
    bsn = models.CharField(max_length=9, blank=True)
    school_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=24)
    phase = models.CharField(max_length=24)
    clock_start = models.DateField()
    days_at_home = models.PositiveIntegerField()
    narrow = models.BooleanField()
    daytime_activity = models.CharField(max_length=24, blank=True)
    waiting_list_for = models.CharField(max_length=20, blank=True)
    lead_name = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("regel van een thuiszitterslijst")
        verbose_name_plural = _("regels van een thuiszitterslijst")
        ordering = ["snapshot", "-days_at_home", "pupil_name"]

    def __str__(self) -> str:
        return f"{self.snapshot_id}: {self.case_id}"


class FiguresSnapshot(models.Model):
    """The aggregates of one scope and quarter frozen when the quarter ended, so a past
    quarter's report shows the figures as they were (not as later corrections made them)."""

    scope_kind = models.CharField(max_length=12, choices=ScopeKind.choices)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    figures = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bevroren kwartaalcijfers")
        verbose_name_plural = _("bevroren kwartaalcijfers")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "quarter"], name="reports_figures_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}-Q{self.quarter}"


class QuarterlyReportStatus(models.TextChoices):
    QUEUED = "queued", _("In de wachtrij")
    RENDERING = "rendering", _("Wordt gemaakt")
    DONE = "done", _("Klaar")
    FAILED = "failed", _("Mislukt")


class QuarterlyReport(models.Model):
    """A requested OOGO report: rendered to PDF by a Celery task, stored, downloadable."""

    scope_kind = models.CharField(_("soort"), max_length=12, choices=ScopeKind.choices)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("jaar"))
    quarter = models.PositiveSmallIntegerField(_("kwartaal"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=QuarterlyReportStatus.choices,
        default=QuarterlyReportStatus.QUEUED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to="reports/quarterly/%Y/", blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    from_snapshot = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    # The row is the outbox entry of its render job (ADR 0022): when the task was last sent,
    # and how many renders started; the watchdog sends it again or gives up.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("kwartaalrapportage")
        verbose_name_plural = _("kwartaalrapportages")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "-requested_at"], name="reports_quarterly_org_idx"
            ),
            # The watchdog's look at unfinished reports, every minute.
            models.Index(
                fields=["status"],
                condition=models.Q(status__in=["queued", "rendering"]),
                name="reports_quarterly_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}-Q{self.quarter} {self.status}"
