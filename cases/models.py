from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thuiszitters.models import AuditedQuerySet

from .workflow import Phase


class CaseQuerySet(AuditedQuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class Case(models.Model):
    """The file on one pupil's period of missing education, from report to return."""

    pupil = models.ForeignKey(
        "registration.Pupil",
        verbose_name=_("leerling"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    phase = models.CharField(_("fase"), max_length=24, choices=Phase.choices, default=Phase.SCHOOL)
    clock_start = models.DateField(
        _("start van de klok"), help_text=_("De eerste dag van het aaneengesloten verzuim.")
    )
    opened_at = models.DateTimeField(_("geopend op"), default=timezone.now)
    closed_at = models.DateTimeField(_("gesloten op"), null=True, blank=True)
    # Scoping columns, derived at intake (DESIGN.md 4.4).
    swv = models.ForeignKey(
        "core.Samenwerkingsverband",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    school = models.ForeignKey(
        "core.School", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="cases"
    )
    lead_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("casusregie bij"),
        on_delete=models.PROTECT,
        related_name="led_cases",
    )
    lead_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("casusregisseur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_cases",
    )
    expects_thuiszitter_soon = models.BooleanField(default=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("casus")
        verbose_name_plural = _("casussen")
        ordering = ["clock_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"],
                condition=Q(closed_at__isnull=True),
                name="cases_one_open_case_per_pupil",
                violation_error_message=_("Deze leerling heeft al een open casus."),
            )
        ]
        indexes = [
            models.Index(fields=["swv", "phase"], name="cases_swv_phase_idx"),
            models.Index(fields=["municipality", "phase"], name="cases_municipality_phase_idx"),
            models.Index(fields=["school", "phase"], name="cases_school_phase_idx"),
        ]

    def __str__(self) -> str:
        return f"Casus {self.pk} ({self.get_phase_display()})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CaseReport(models.Model):
    """A report joined to a case by the intake (each report belongs to one case)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_reports")
    report = models.OneToOneField(
        "registration.AbsenceReport", on_delete=models.PROTECT, related_name="case_link"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("melding in casus")
        verbose_name_plural = _("meldingen in casussen")

    def __str__(self) -> str:
        return f"{self.report} in {self.case}"


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Casus geopend")
    REPORT_JOINED = "report_joined", _("Melding toegevoegd")
    CLOCK_MOVED = "clock_moved", _("Start van de klok aangepast")


class CaseEvent(models.Model):
    """The dossier journal: append-only, one row per change, conversation or decision."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=CaseEventKind.choices)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("journaalregel")
        verbose_name_plural = _("journaal")
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="cases_event_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}"
