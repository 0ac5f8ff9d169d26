"""Pupils, their parents, enrolments, exemptions, absence reports and consent.

This app knows nothing of cases (DESIGN.md section 5): it holds the data and its validation.
The intake that joins a report to a case lives in ``cases``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thuiszitters.models import AuditedQuerySet, ChoiceLabels

from .bsn import validate_bsn


class Pupil(models.Model):
    """A child who is, or may be, missing education. Only what the process needs."""

    given_names = models.CharField(_("voornamen"), max_length=200)
    surname_prefix = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    surname = models.CharField(_("achternaam"), max_length=200)
    date_of_birth = models.DateField(_("geboortedatum"))
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name=_("woongemeente"),
        on_delete=models.PROTECT,
        related_name="pupils",
    )
    bsn = models.CharField(
        _("BSN"),
        max_length=9,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_bsn],
        help_text=_("Optioneel; wordt gecontroleerd met de elfproef."),
    )
    # Kept current by the consent service: care partners see the pupil's case only while the
    # parents' (and, from 12, the pupil's) share_with_care_partners consent holds.
    shared_with_care_partners = models.BooleanField(default=False)
    # When that consent last came into force: invitations from before it do not count, so a
    # withdrawal followed by new consent needs a new invitation.
    care_consent_since = models.DateTimeField(null=True, blank=True)
    # Whether the parties whose consent counts agree to binding arbitration now; kept in
    # line by report_sharing_refresh, read by the arbitrators' access (DESIGN.md 4.3).
    binding_arbitration_agreed = models.BooleanField(default=False)
    # The consent age band (0, 12 or 16: rules.consent_age_band) the flags above were last
    # computed for; the sweep recomputes them when a birthday moves the pupil on (ADR 0010).
    # None: not known yet (rows written in bulk); the next sweep fills it in.
    consent_age_band = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    startkwalificatie_on = models.DateField(
        _("startkwalificatie behaald op"),
        null=True,
        blank=True,
        help_text=_("Een startkwalificatie beëindigt de kwalificatieplicht."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("leerling")
        verbose_name_plural = _("leerlingen")
        ordering = ["surname", "given_names", "id"]
        indexes = [
            models.Index(fields=["surname", "date_of_birth"], name="reg_pupil_name_dob_idx"),
            # The sweep's birthdays: per band, a date_of_birth range finds the few who moved on.
            models.Index(
                fields=["consent_age_band", "date_of_birth"], name="reg_pupil_consent_band_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.surname_prefix, self.surname) if p)


class GuardianRelation(models.TextChoices):
    MOTHER = "mother", _("moeder")
    FATHER = "father", _("vader")
    PARENT = "parent", _("ouder")
    GUARDIAN = "guardian", _("voogd")
    FOSTER_PARENT = "foster_parent", _("pleegouder")
    OTHER = "other", _("anders")


class Guardian(models.Model):
    """A parent or guardian of a pupil, with how to reach them."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("naam"), max_length=200)
    relation = models.CharField(_("relatie"), max_length=16, choices=GuardianRelation.choices)
    has_parental_authority = models.BooleanField(_("heeft gezag"), default=True)
    phone = models.CharField(_("telefoonnummer"), max_length=32, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    # Who wrote these contact details: a school that enrolled an already known pupil sees
    # only the guardians it recorded itself (ADR 0014).
    recorded_by_organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ouder of verzorger")
        verbose_name_plural = _("ouders en verzorgers")
        ordering = ["pupil", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"


class EnrolmentQuerySet(AuditedQuerySet):
    def current(self, on=None):
        day = on or timezone.localdate()
        return self.filter(Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))


class Enrolment(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="enrolments")
    # Indexed with the pupil (Meta.indexes): a school's pupils read from the index alone.
    school = models.ForeignKey(
        "core.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="enrolments",
        db_index=False,
    )
    start = models.DateField(_("ingeschreven vanaf"))
    end = models.DateField(_("ingeschreven tot en met"), null=True, blank=True)
    # The school enrolled a pupil that another organisation had registered (matched on BSN,
    # surname and date of birth): it sees its own reports, not the pupil's earlier file
    # (ADR 0014).
    matched_existing = models.BooleanField(default=False)
    # Set when that school enrolled a pupil of another region or of another school as well;
    # cleared once the other school and leerplicht have been notified.
    alert_pending = models.BooleanField(default=False, db_index=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        ordering = ["-start", "id"]
        indexes = [
            models.Index(fields=["school", "end"], name="reg_enrolment_school_end_idx"),
            # The pupil scope's "enrolled at one of my schools" (count and page of the pupil
            # list) without visiting the table: 0.4 ms of each of both queries (issue 14).
            models.Index(fields=["school", "pupil"], name="reg_enrolment_school_pupil_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="reg_enrolment_period_valid",
                violation_error_message=_("De einddatum ligt voor de begindatum."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pupil} @ {self.school} ({self.start} - {self.end or '…'})"


class ExemptionKind(models.TextChoices):
    ARTICLE_5A = "5a", _("Vrijstelling artikel 5 onder a (lichamelijke of psychische gronden)")
    ARTICLE_5B = "5b", _("Vrijstelling artikel 5 onder b (richting van het onderwijs)")
    ARTICLE_15 = "15", _("Vrijstelling artikel 15 (alternatief onderwijs)")


class Exemption(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="exemptions")
    kind = models.CharField(_("soort vrijstelling"), max_length=2, choices=ExemptionKind.choices)
    start = models.DateField(_("vanaf"))
    end = models.DateField(_("tot en met"), null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vrijstelling")
        verbose_name_plural = _("vrijstellingen")
        ordering = ["-start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="reg_exemption_period_valid",
                violation_error_message=_("De einddatum ligt voor de begindatum."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.start} - {self.end or '…'})"


class AbsenceKind(models.TextChoices):
    UNAUTHORISED = "unauthorised", _("Ongeoorloofd (relatief) verzuim")
    SICKNESS = "sickness", _("Ziekte")
    MEDICAL_PSYCHOLOGICAL = "medical_psychological", _("Medische of psychische redenen")
    AUTHORISED_OTHER = "authorised_other", _("Ander geoorloofd verzuim")
    PARTIAL = "partial", _("Volgt minder dan 50% van de onderwijstijd")
    SUSPENSION = "suspension", _("Geschorst in afwachting van verwijdering")
    NOT_ENROLLED = "not_enrolled", _("Niet ingeschreven (absoluut verzuim)")
    EXEMPTION = "exemption", _("Vrijstelling")
    AT_RISK = "at_risk", _("Zorgen zonder verzuimgrens (risico)")


# Kinds that rest on the Leerplichtwet: shared with leerplicht and the SWV without consent
# (the parents must have been informed). All other kinds need the matching consent scope.
# See docs/adr/0010-consent-and-sharing-of-reports.md.
LAWFUL_KINDS = frozenset(
    {
        AbsenceKind.UNAUTHORISED,
        AbsenceKind.NOT_ENROLLED,
        AbsenceKind.SUSPENSION,
        AbsenceKind.EXEMPTION,
    }
)


class ParentsInformedHow(models.TextChoices):
    CONVERSATION = "conversation", _("In een gesprek")
    PHONE = "phone", _("Telefonisch")
    LETTER = "letter", _("Per brief")
    EMAIL = "email", _("Per e-mail")
    OTHER = "other", _("Anders")


class ReportChannel(models.TextChoices):
    FORM = "form", _("Formulier")
    API = "api", _("API")
    CSV = "csv", _("CSV-bestand")


class AbsenceReport(ChoiceLabels, models.Model):
    """A verzuimmelding. Written once by the intake; corrections are new reports."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="absence_reports")
    kind = models.CharField(_("soort verzuim"), max_length=24, choices=AbsenceKind.choices)
    reporting_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("gemeld door (organisatie)"),
        on_delete=models.PROTECT,
        related_name="absence_reports",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gemeld door"),
        on_delete=models.PROTECT,
        related_name="absence_reports",
    )
    reported_on = models.DateField(_("meldingsdatum"), default=timezone.localdate)
    absence_started_on = models.DateField(
        _("eerste dag van het aaneengesloten verzuim"),
        help_text=_("Hier begint de klok van de casus."),
    )
    absence_ended_on = models.DateField(
        _("laatste verzuimdag"),
        null=True,
        blank=True,
        help_text=_("Leeg zolang het verzuim voortduurt."),
    )
    hours_missed_last_4_weeks = models.DecimalField(
        _("gemiste uren in de laatste 4 weken"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(160)],
    )
    share_followed_percent = models.PositiveSmallIntegerField(
        _("gevolgde onderwijstijd (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    striking_sickness = models.BooleanField(
        _("opvallend ziekteverzuim"),
        default=False,
        help_text=_("Bijvoorbeeld regelmatig ziek naar huis."),
    )
    expects_thuiszitter_soon = models.BooleanField(
        _("school verwacht eerder thuiszitten"),
        default=False,
        help_text=_("De school verwacht dat de leerling binnen 4 weken thuiszitter wordt."),
    )
    reason = models.TextField(_("toelichting"), blank=True)
    parents_informed_on = models.DateField(_("ouders geïnformeerd op"))
    parents_informed_how = models.CharField(
        _("ouders geïnformeerd via"), max_length=16, choices=ParentsInformedHow.choices
    )
    # Denormalised at intake so that lists filter on indexed organisation columns.
    school = models.ForeignKey(
        "core.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    swv = models.ForeignKey(
        "core.Samenwerkingsverband",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    # Who may see it beyond the school (DESIGN.md 4.3), kept current by the consent services.
    shared_with_leerplicht = models.BooleanField(default=False)
    shared_with_swv = models.BooleanField(default=False)
    consent_override_reason = models.TextField(
        _("reden om zonder toestemming te delen"),
        blank=True,
        help_text=_("Alleen bij gevaar voor het kind (Meldcode); wordt gelogd."),
    )
    channel = models.CharField(max_length=8, choices=ReportChannel.choices)
    client_key = models.CharField(  # noqa: DJ001 - NULL: no key, so not unique
        _("kenmerk van het bronsysteem"),
        max_length=100,
        null=True,
        blank=True,
        help_text=_("Maakt herhaalde aanleveringen idempotent."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("verzuimmelding")
        verbose_name_plural = _("verzuimmeldingen")
        ordering = ["-reported_on", "-id"]
        indexes = [
            models.Index(fields=["school", "-reported_on"], name="reg_report_school_idx"),
            models.Index(
                fields=["swv", "shared_with_swv", "-reported_on"], name="reg_report_swv_idx"
            ),
            models.Index(
                fields=["municipality", "shared_with_leerplicht", "-reported_on"],
                name="reg_report_municipality_idx",
            ),
            models.Index(
                fields=["pupil", "kind", "absence_started_on"], name="reg_report_pupil_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reporting_organisation", "client_key"],
                condition=Q(client_key__isnull=False),
                name="reg_report_client_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(absence_ended_on__isnull=True)
                | Q(absence_ended_on__gte=F("absence_started_on")),
                name="reg_report_absence_period_valid",
                violation_error_message=_("De laatste verzuimdag ligt voor de eerste."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pupil} ({self.reported_on})"


class ConsentScope(models.TextChoices):
    SHARE_WITH_LEERPLICHT = "share_with_leerplicht", _("Delen met leerplicht")
    SHARE_WITH_SWV = "share_with_swv", _("Delen met het samenwerkingsverband")
    SHARE_WITH_CARE_PARTNERS = "share_with_care_partners", _("Delen met zorgpartners")
    MEETING_PARTICIPATION = "meeting_participation", _("Bespreken in een overleg (MDO)")
    BINDING_ARBITRATION = "binding_arbitration", _("Bindende arbitrage")


class ConsentStatus(models.TextChoices):
    GIVEN = "given", _("gegeven")
    REFUSED = "refused", _("geweigerd")
    WITHDRAWN = "withdrawn", _("ingetrokken")


class ConsentParty(models.TextChoices):
    PARENTS = "parents", _("ouder(s) of verzorger(s)")
    PUPIL = "pupil", _("leerling")


class ConsentHow(models.TextChoices):
    CONVERSATION = "conversation", _("In een gesprek")
    FORM = "form", _("Getekend formulier")
    EMAIL = "email", _("Per e-mail")
    PHONE = "phone", _("Telefonisch")


class Consent(ChoiceLabels, models.Model):
    """One statement of consent for one scope by one party. Append-only: the latest counts."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("waarvoor"), max_length=32, choices=ConsentScope.choices)
    status = models.CharField(_("status"), max_length=16, choices=ConsentStatus.choices)
    party = models.CharField(_("door"), max_length=8, choices=ConsentParty.choices)
    guardian = models.ForeignKey(
        Guardian, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents"
    )
    stated_on = models.DateField(_("datum"))
    how = models.CharField(_("hoe"), max_length=16, choices=ConsentHow.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Set when the statement counts only for the reports this organisation filed: a school
    # that reports an already known pupil records consent for its own report, and cannot
    # widen the sharing of reports others filed (ADR 0014). Null: it counts for the pupil.
    limited_to_organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("toelichting"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("toestemming")
        verbose_name_plural = _("toestemmingen")
        ordering = ["pupil", "scope", "party", "-stated_on", "-id"]
        indexes = [models.Index(fields=["pupil", "scope", "party"], name="reg_consent_idx")]

    def __str__(self) -> str:
        return (
            f"{self.get_scope_display()}: {self.get_status_display()} ({self.get_party_display()})"
        )

    def clean(self) -> None:
        super().clean()
        if self.stated_on and self.stated_on > timezone.localdate():
            raise ValidationError({"stated_on": _("Deze datum ligt in de toekomst.")})


class EarlyWarningSettings(models.Model):
    """Regional thresholds of the early-warning signals (defaults from the seeds)."""

    region = models.OneToOneField(
        "core.Region", on_delete=models.CASCADE, related_name="early_warning_settings"
    )
    unauthorised_hours_early = models.DecimalField(max_digits=5, decimal_places=1, default=10)
    unauthorised_hours_duo = models.DecimalField(max_digits=5, decimal_places=1, default=16)
    window_days = models.PositiveSmallIntegerField(default=28)
    short_sickness_reports = models.PositiveSmallIntegerField(default=3)
    short_sickness_max_days = models.PositiveSmallIntegerField(default=2)
    short_sickness_window_days = models.PositiveSmallIntegerField(default=61)
    long_sickness_school_days = models.PositiveSmallIntegerField(default=10)
    spread_sickness_days = models.PositiveSmallIntegerField(default=4)
    spread_sickness_window_days = models.PositiveSmallIntegerField(default=30)
    # The oldest first day of absence a report may give: older dates are typing errors, and
    # would put a case straight on the doorbraakteam's agenda.
    absence_max_months_back = models.PositiveSmallIntegerField(
        _("eerste verzuimdag hoogstens zoveel maanden terug"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        verbose_name = _("signaleringsdrempels")
        verbose_name_plural = _("signaleringsdrempels")

    def __str__(self) -> str:
        return f"{self.region}"
