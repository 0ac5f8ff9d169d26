"""The convenant as data, the stored deadlines, the route's escalations and notifications.

DESIGN.md 4.2. A policy belongs to one SWV and changes by new versions (append-only); each
open case has one ``CaseDeadline`` row (keyed by the case) with the next step of its route,
its due date and the policy version it was computed with; every step taken is one
``Escalation`` row, unique per (case, round, step).
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.workflow import Phase
from thuiszitters.models import AuditedQuerySet, ChoiceLabels


class CountMode(models.TextChoices):
    CALENDAR = "calendar", _("Kalenderweken")
    PAUSE_HOLIDAYS = "pause_holidays", _("Weken buiten de schoolvakanties (de klok pauzeert)")


class Casusregie(models.TextChoices):
    APPOINTED = "appointed", _("SWV en gemeente hebben casusregisseurs aangewezen")
    NONE_AGREED = (
        "none_agreed",
        _("Geen afspraak: de leerplichtambtenaar van de woongemeente wordt casusregisseur"),
    )


class EscalationPolicy(models.Model):
    """The convenant of one SWV. Its settings are in versions; the highest number counts."""

    swv = models.OneToOneField(
        "core.Samenwerkingsverband",
        verbose_name=_("samenwerkingsverband"),
        on_delete=models.CASCADE,
        related_name="escalation_policy",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("convenant")
        verbose_name_plural = _("convenanten")

    def __str__(self) -> str:
        return str(self.swv)


def _weeks(default: int):
    return models.PositiveSmallIntegerField(
        default=default, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )


class PolicyVersion(models.Model):
    """One version of a convenant. Never changed: a change is a new version."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versie"))
    created_at = models.DateTimeField(_("vastgesteld op"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reden van de wijziging"), blank=True)

    casusregisseur_weeks = _weeks(4)
    doorbraak_assessment_weeks = _weeks(8)
    doorbraakteam_weeks = _weeks(12)
    assessment_response_days = models.PositiveSmallIntegerField(
        _("antwoordtermijn doorbraaktoets (dagen)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    om_referral_months = models.PositiveSmallIntegerField(
        _("naar het OM na (maanden doorbraakteam)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_(
            "Zonder passend aanbod gaat de casus uiterlijk zoveel maanden na de start van het "
            "doorbraakteam naar de beoordeling voor het Openbaar Ministerie (seed 002, 6.11)."
        ),
    )
    warning_days = models.PositiveSmallIntegerField(
        _("waarschuwing vooraf (dagen)"),
        default=7,
        validators=[MinValueValidator(0), MaxValueValidator(28)],
    )
    count_mode = models.CharField(
        _("telling"), max_length=16, choices=CountMode.choices, default=CountMode.CALENDAR
    )
    casusregie = models.CharField(
        _("casusregie"), max_length=12, choices=Casusregie.choices, default=Casusregie.NONE_AGREED
    )
    casusregisseur_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisatie van de casusregisseurs"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    casusregisseurs = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangewezen casusregisseurs"),
        blank=True,
        related_name="+",
    )
    doorbraakteam_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coördinator doorbraakteam"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    neighbour_swv = models.ForeignKey(
        "core.Samenwerkingsverband",
        verbose_name=_("naburig samenwerkingsverband voor arbitrage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The convenant's targets (DESIGN.md 4.5), read by reports.
    target_first_contact_days = models.PositiveSmallIntegerField(default=7)
    target_first_contact_percent = models.PositiveSmallIntegerField(
        default=80, validators=[MaxValueValidator(100)]
    )
    target_goals_days = models.PositiveSmallIntegerField(default=30)
    target_goals_percent = models.PositiveSmallIntegerField(
        default=90, validators=[MaxValueValidator(100)]
    )
    target_offer_months = models.PositiveSmallIntegerField(default=3)
    target_offer_percent = models.PositiveSmallIntegerField(
        default=80, validators=[MaxValueValidator(100)]
    )
    target_first_conversation_days = models.PositiveSmallIntegerField(default=14)
    target_first_conversation_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MaxValueValidator(100)]
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("versie van het convenant")
        verbose_name_plural = _("versies van het convenant")
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "number"], name="escalation_policy_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(casusregisseur_weeks__lt=F("doorbraak_assessment_weeks"))
                & Q(doorbraak_assessment_weeks__lt=F("doorbraakteam_weeks")),
                name="escalation_policy_weeks_in_order",
                violation_error_message=_(
                    "De termijnen lopen op: casusregisseur, dan doorbraaktoets, dan doorbraakteam."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"


class HolidaySource(models.TextChoices):
    MANUAL = "manual", _("Ingevoerd")
    CSV = "csv", _("CSV-bestand")
    ICS = "ics", _("iCalendar-bestand")
    SAMPLE = "sample", _("Voorbeeldgegevens (demo)")


class SchoolHoliday(models.Model):
    """A school holiday of a region's calendar (its zone noord, midden or zuid); inclusive."""

    region = models.ForeignKey(
        "core.Region", on_delete=models.CASCADE, related_name="school_holidays"
    )
    name = models.CharField(_("naam"), max_length=100)
    starts_on = models.DateField(_("eerste dag"))
    ends_on = models.DateField(_("laatste dag"))
    source = models.CharField(
        _("bron"), max_length=8, choices=HolidaySource.choices, default=HolidaySource.MANUAL
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("schoolvakantie")
        verbose_name_plural = _("schoolvakanties")
        ordering = ["region", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "starts_on"],
                name="escalation_holiday_unique_start",
                violation_error_message=_("Op die dag begint al een vakantie."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="escalation_holiday_ends_after_start",
                violation_error_message=_("De laatste dag ligt niet voor de eerste."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on} - {self.ends_on})"

    @property
    def is_sample(self) -> bool:
        return self.source == HolidaySource.SAMPLE


class Step(models.TextChoices):
    """The escalation steps of the route; each is the phase the case moves to."""

    CASUSREGISSEUR = Phase.CASUSREGISSEUR.value, _("Casusregie naar de casusregisseur")
    DOORBRAAK_ASSESSMENT = Phase.DOORBRAAK_ASSESSMENT.value, _("Doorbraaktoets")
    DOORBRAAKTEAM = Phase.DOORBRAAKTEAM.value, _("Doorbraakteam")
    ARBITRATION = Phase.ARBITRATION.value, _("Arbitrage")
    OM_REFERRAL = Phase.OM_REFERRAL.value, _("Openbaar Ministerie")


class CaseDeadline(models.Model):
    """The next timed step of one case: what, when, and from which inputs it was computed.

    Kept current by the escalation services (policy and holiday changes recompute the
    affected rows at once; the sweep picks up rows whose case changed phase or clock), so
    "overdue" is an indexed range query. ``step`` empty: nothing timed is left.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="deadline"
    )
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The inputs the row was computed from; the sweep recomputes a row when they differ.
    phase = models.CharField(max_length=24)
    clock_start = models.DateField()
    route_round = models.PositiveSmallIntegerField(default=1)
    step = models.CharField(_("volgende stap"), max_length=24, choices=Step.choices, blank=True)
    due_on = models.DateField(_("uiterlijk op"), null=True, blank=True, db_index=True)
    warn_on = models.DateField(_("waarschuwen op"), null=True, blank=True, db_index=True)
    # The pact's promise: no child longer than three months at home without an offer.
    three_months_on = models.DateField(_("drie maanden op"), db_index=True)
    computed_at = models.DateTimeField(default=timezone.now)
    # The due date the last warning was for: a moved deadline gets a new warning.
    warned_for = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("termijn")
        verbose_name_plural = _("termijnen")
        indexes = [models.Index(fields=["policy_version"], name="escalation_deadline_pv_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.step} {self.due_on}"

    def is_current_for(self, phase: str, clock_start, route_round: int) -> bool:
        """Whether the row was computed from these inputs (else a person moved the case)."""
        return (self.phase, self.clock_start, self.route_round) == (
            phase,
            clock_start,
            route_round,
        )


class Trigger(models.TextChoices):
    TIMER = "timer", _("Termijn verstreken")
    PERSON = "person", _("Eerder, met de hand")
    ASSESSMENT = "assessment", _("Doorbraaktoets: geen passend aanbod binnen 4 weken")
    SKIPPED = "skipped", _("Overgeslagen")


class Escalation(models.Model):
    """One step of the route for one case: when it was due and when and how it happened."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="escalations")
    route_round = models.PositiveSmallIntegerField(default=1)
    step = models.CharField(_("stap"), max_length=24, choices=Step.choices)
    due_on = models.DateField(_("uiterlijk op"), null=True, blank=True)
    happened_at = models.DateTimeField(_("gezet op"), default=timezone.now)
    trigger = models.CharField(_("aanleiding"), max_length=12, choices=Trigger.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reden"), blank=True)
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalatie")
        verbose_name_plural = _("escalaties")
        ordering = ["case", "route_round", "happened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "route_round", "step"],
                name="escalation_once_per_case_step",
                violation_error_message=_("Deze stap is voor deze casus al gezet."),
            )
        ]
        indexes = [models.Index(fields=["step", "happened_at"], name="escalation_step_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {self.happened_at:%Y-%m-%d}"

    @property
    def happened_on(self) -> datetime.date:
        return timezone.localtime(self.happened_at).date()

    @property
    def on_time(self) -> bool | None:
        """For timed steps: whether it happened by its due date (reports measure this)."""
        if self.due_on is None:
            return None
        return self.happened_on <= self.due_on


class DoorbraakAssessment(models.Model):
    """The casusregisseur's answer in week 8: will a suitable offer start within 4 weeks?"""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assessments")
    route_round = models.PositiveSmallIntegerField(default=1)
    offer_within_four_weeks = models.BooleanField(_("passend aanbod start binnen 4 weken"))
    expected_start_on = models.DateField(_("verwachte start"), null=True, blank=True)
    explanation = models.TextField(_("toelichting"))
    answered_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("doorbraaktoets")
        verbose_name_plural = _("doorbraaktoetsen")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "route_round"],
                name="escalation_one_assessment_per_round",
                violation_error_message=_("De doorbraaktoets is al ingevuld."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {'ja' if self.offer_within_four_weeks else 'nee'}"


class ArbitrationStatus(models.TextChoices):
    IN_SESSION = "in_session", _("Commissie in zitting")
    DECIDED = "decided", _("Bindend besluit genomen")
    NO_RESULT = "no_result", _("Zonder resultaat")
    REFUSED = "refused", _("Ouders leggen zich niet neer bij het besluit")


class ArbitrationPanel(models.Model):
    """The arbitration panel of one case: the parents' representative, a member of the own
    SWV's doorbraakteam and one of a neighbouring SWV, chaired by the casusregisseur."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="arbitration_panels"
    )
    route_round = models.PositiveSmallIntegerField(default=1)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voorzitter (casusregisseur)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    parents_representative = models.CharField(_("vertegenwoordiger van de ouders"), max_length=200)
    own_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lid doorbraakteam eigen samenwerkingsverband"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    neighbour_swv = models.ForeignKey(
        "core.Samenwerkingsverband",
        verbose_name=_("naburig samenwerkingsverband"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    neighbour_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lid naburig samenwerkingsverband"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("waarom arbitrage"))
    started_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ArbitrationStatus.choices,
        default=ArbitrationStatus.IN_SESSION,
    )
    decision = models.TextField(_("bindend besluit"), blank=True)
    decided_on = models.DateField(_("besloten op"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("arbitragecommissie")
        verbose_name_plural = _("arbitragecommissies")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "route_round"],
                name="escalation_one_panel_per_round",
                violation_error_message=_("Voor deze casus is al een arbitragecommissie."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_status_display()}"


class OmRoute(models.TextChoices):
    CIVIL = "civil", _("Civielrechtelijk (Raad voor de Kinderbescherming)")
    CRIMINAL = "criminal", _("Strafrechtelijk (proces-verbaal)")


class OmReferral(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="om_referrals")
    route_round = models.PositiveSmallIntegerField(default=1)
    route = models.CharField(_("route"), max_length=8, choices=OmRoute.choices)
    referred_on = models.DateField(_("doorgezet op"))
    reason = models.TextField(_("reden"))
    arbitration = models.ForeignKey(
        ArbitrationPanel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("doorverwijzing naar het OM")
        verbose_name_plural = _("doorverwijzingen naar het OM")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "route_round"], name="escalation_one_om_referral_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_route_display()} {self.referred_on}"


class NotificationKind(models.TextChoices):
    DEADLINE_WARNING = "deadline_warning", _("Een termijn verstrijkt binnenkort")
    DEADLINE_PASSED = "deadline_passed", _("Een termijn is verstreken: de casus is opgeschaald")
    ESCALATED_BY_HAND = "escalated_by_hand", _("Een casus is met de hand opgeschaald")
    ARBITRATION = "arbitration", _("U bent lid van een arbitragecommissie")
    ENROLMENT_MATCH = (
        "enrolment_match",
        _("Een bekende leerling is ook op een andere school ingeschreven"),
    )
    MONITORING = "monitoring", _("Wekelijkse monitoring van een casus in de fase school")
    CONSENT_AGE = "consent_age", _("Door de leeftijd geeft nu iemand anders toestemming")
    CLOSED_AT_18 = "closed_at_18", _("Casus gesloten: de leerling is 18 geworden")


class Notification(ChoiceLabels, models.Model):
    """An in-app message; ``event_key`` makes each event reach each user once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    event_key = models.CharField(max_length=100)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    step = models.CharField(max_length=24, choices=Step.choices, blank=True)
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # E-mail: wanted at creation (the user's preference). The row is the outbox entry of its
    # e-mail (ADR 0022): claimed with a lease, marked sent only after the relay took it.
    email_wanted = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    # Not before: the end of a claim's lease (a dead worker's claim expires) or a back-off.
    email_not_before = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event_key"], name="escalation_notification_once"
            )
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="escalation_notif_unread_idx"),
            models.Index(
                fields=["created_at"],
                condition=Q(email_wanted=True, emailed_at__isnull=True),
                name="escalation_notif_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.event_key}"


class NotificationPreference(models.Model):
    """Whether a user wants e-mail for a kind of notification (default: yes)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    email = models.BooleanField(_("ook per e-mail"), default=True)

    class Meta:
        verbose_name = _("meldingsvoorkeur")
        verbose_name_plural = _("meldingsvoorkeuren")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="escalation_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.email}"


class EmailMode(models.TextChoices):
    """How a user's notification e-mail arrives (which kinds: ``NotificationPreference``)."""

    DIGEST = "digest", _("Dagelijks overzicht: één e-mail per dag met alle nieuwe berichten")
    EACH = "each", _("Per bericht: een e-mail zodra er een bericht is")


class NotificationEmailSetting(models.Model):
    """A user's choice of ``EmailMode``. No row: ``settings.NOTIFICATION_EMAIL_DEFAULT``, so
    changing the default reaches everyone who never chose."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_email_setting",
    )
    mode = models.CharField(_("e-mail ontvangen"), max_length=8, choices=EmailMode.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("e-mailinstelling van meldingen")
        verbose_name_plural = _("e-mailinstellingen van meldingen")
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=EmailMode.values), name="escalation_email_mode_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.mode}"
