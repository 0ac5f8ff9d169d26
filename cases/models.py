import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from thuiszitters.models import AuditedQuerySet, ChoiceLabels

from .workflow import ClosureReason, Phase


class SituationLevel(models.TextChoices):
    """The ladder of effectiveness: how the situation is (seeds 002, section 5)."""

    SIMPLE = "simple", _("Eenvoudig")
    COMPLICATED = "complicated", _("Gecompliceerd")
    COMPLEX = "complex", _("Complex")
    CHAOTIC = "chaotic", _("Chaotisch")
    STAGNATING = "stagnating", _("Stagnerend")


class LeadMode(models.TextChoices):
    """The ladder of effectiveness: how the lead is held."""

    DIALOGUE = "dialogue", _("Dialoog")
    CONSULTATION = "consultation", _("Overleg")
    CO_CREATION = "co_creation", _("Cocreatie")
    ASSERTIVE = "assertive", _("Doortastend")
    FORCING = "forcing", _("Forcerend")


class DaytimeActivity(models.TextChoices):
    UNKNOWN = "unknown", _("Onbekend")
    AT_HOME = "at_home", _("Thuis, zonder dagbesteding")
    PARTIAL_SCHOOL = "partial_school", _("Deels op school")
    CARE = "care", _("Zorg of behandeling")
    DAYTIME_PROGRAMME = "daytime_programme", _("Dagbesteding")
    WORK = "work", _("Werk of stage")
    OTHER = "other", _("Anders")


class Cause(models.TextChoices):
    """Coded causes; a case may have several."""

    PSYCHOLOGICAL = "psychological", _("Psychische problematiek")
    PHYSICAL = "physical", _("Lichamelijke klachten of ziekte")
    SCHOOL_ANXIETY = "school_anxiety", _("Schoolangst of -weigering")
    BEHAVIOUR = "behaviour", _("Gedragsproblematiek")
    LEARNING = "learning", _("Leerproblemen of ontwikkelingsvraag")
    NO_FITTING_SCHOOL = "no_fitting_school", _("Geen passende school of plek")
    HOME_SITUATION = "home_situation", _("Thuissituatie")
    BULLYING = "bullying", _("Pesten")
    SUSPENSION = "suspension", _("Schorsing of verwijdering")
    OTHER = "other", _("Anders")


class WaitingListFor(models.TextChoices):
    NONE = "", _("Geen wachtlijst")
    YOUTH_CARE = "youth_care", _("Jeugdhulp")
    MENTAL_HEALTH = "mental_health", _("Jeugd-GGZ")
    SPECIAL_EDUCATION = "special_education", _("Plek in het speciaal onderwijs")
    DIAGNOSTICS = "diagnostics", _("Onderzoek of diagnostiek")
    OTHER = "other", _("Anders")


class CaseQuerySet(AuditedQuerySet["Case"]):
    def open(self) -> "CaseQuerySet":
        return self.filter(closed_at__isnull=True)

    def sharing_refresh(self) -> int:
        """Set ``shared_with_swv`` and ``shared_with_leerplicht`` of these cases from their
        reports in one statement that writes only the cases whose flags change; returns how
        many (ADR 0019).

        Defined here so registration's consent service can keep the flags through
        ``pupil.cases`` without importing cases (the layers allow only the other way)."""
        reports = CaseReport.objects.filter(case_id=OuterRef("pk"))
        swv = Q(Exists(reports.filter(report__shared_with_swv=True)))
        leerplicht = Q(Exists(reports.filter(report__shared_with_leerplicht=True)))
        stale = (
            (Q(shared_with_swv=True) & ~swv)
            | (Q(shared_with_swv=False) & swv)
            | (Q(shared_with_leerplicht=True) & ~leerplicht)
            | (Q(shared_with_leerplicht=False) & leerplicht)
        )
        # A copy of audited facts (the reports' sharing), so written past the audit guard.
        cases = Case._base_manager.filter(pk__in=self.values("pk"))
        return cases.filter(stale).update(
            shared_with_swv=Exists(reports.filter(report__shared_with_swv=True)),
            shared_with_leerplicht=Exists(reports.filter(report__shared_with_leerplicht=True)),
        )

    def pupil_dates_refresh(self) -> int:
        """Copy the pupil's date of birth and startkwalificatie date onto these cases;
        returns how many changed (ADR 0024). Through ``pupil.cases`` for the same reason as
        ``sharing_refresh``."""
        from registration.models import Pupil

        pupil = Pupil.objects.filter(pk=OuterRef("pupil_id")).order_by()
        return self._copies_refresh(
            {
                "pupil_born_on": pupil.values("date_of_birth")[:1],
                "pupil_startkwalificatie_on": pupil.values("startkwalificatie_on")[:1],
            }
        )

    def first_dates_refresh(self) -> int:
        """Set the dates of these cases' first contact (a conversation or meeting in the
        journal), first meeting, first meeting with the parents present and first goal from
        those rows; returns how many changed (ADR 0025). Called by ``journal`` for the kinds
        that can change them."""
        events = CaseEvent.objects.filter(case_id=OuterRef("pk"), kind__in=CONTACT_EVENT_KINDS)
        meetings = Meeting.objects.filter(case_id=OuterRef("pk"))
        goals = Goal.objects.filter(case_id=OuterRef("pk"))
        return self._copies_refresh(
            {
                "first_contact_at": events.order_by("at").values("at")[:1],
                "first_meeting_on": meetings.order_by("held_on").values("held_on")[:1],
                "first_parents_meeting_on": meetings.filter(parents_present=True)
                .order_by("held_on")
                .values("held_on")[:1],
                "first_goal_at": goals.order_by("created_at").values("created_at")[:1],
            }
        )

    def _copies_refresh(self, sources: "dict[str, QuerySet[Any]]") -> int:
        """Set each column of ``sources`` (its single-value subquery) on the cases whose copy
        differs, a NULL on either side included, in one statement; returns how many."""
        stale = Q()
        for name in sources:
            now = f"now_{name}"
            stale |= (
                Q(**{f"{name}__isnull": True, f"{now}__isnull": False})
                | Q(**{f"{name}__isnull": False, f"{now}__isnull": True})
                | Q(**{f"{name}__lt": F(now)})
                | Q(**{f"{name}__gt": F(now)})
            )
        found = {name: Subquery(rows) for name, rows in sources.items()}
        changed = self.annotate(**{f"now_{name}": value for name, value in found.items()})
        # Copies of audited facts, so written past the audit guard.
        cases = Case._base_manager.filter(pk__in=changed.filter(stale).values("pk"))
        return cases.update(**found)


class Case(ChoiceLabels, models.Model):
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
    # Only at-risk signals so far: on the SWV's preventive list, no clock until absence is
    # reported (DESIGN.md 4.1).
    at_risk = models.BooleanField(
        _("alleen dreigend verzuim"),
        default=False,
        help_text=_(
            "Een signaal zonder verzuim: de klok loopt pas vanaf de eerste verzuimmelding."
        ),
    )
    situation_level = models.CharField(
        _("situatie"), max_length=16, choices=SituationLevel.choices, blank=True
    )
    lead_mode = models.CharField(
        _("regiestijl"), max_length=16, choices=LeadMode.choices, blank=True
    )
    daytime_activity = models.CharField(
        _("dagbesteding"),
        max_length=20,
        choices=DaytimeActivity.choices,
        default=DaytimeActivity.UNKNOWN,
    )
    causes = models.JSONField(_("oorzaken"), default=list, blank=True)
    waiting_list_for = models.CharField(
        _("wachtlijst voor"), max_length=20, choices=WaitingListFor.choices, blank=True
    )
    waiting_since = models.DateField(_("op de wachtlijst sinds"), null=True, blank=True)
    parents_wishes = models.TextField(_("wensen van de ouders"), blank=True)
    pupil_wishes = models.TextField(_("wensen van de leerling"), blank=True)
    first_offer_started_on = models.DateField(
        _("eerste passend aanbod gestart op"), null=True, blank=True
    )
    closed_reason = models.CharField(
        _("reden van sluiten"), max_length=16, choices=ClosureReason.choices, blank=True
    )
    closed_note = models.TextField(_("toelichting bij sluiten"), blank=True)
    retention_until = models.DateField(_("bewaren tot"), null=True, blank=True, db_index=True)
    # Whether a report of the case is shared with the SWV / leerplicht (consent or a legal
    # ground): the reports' flags, kept on the case by ``case_sharing_refresh`` in the same
    # transaction as every change of them, so the scoping is an indexed lookup on the case.
    shared_with_swv = models.BooleanField(default=False, editable=False)
    shared_with_leerplicht = models.BooleanField(default=False, editable=False)
    # The pupil's dates the figures count by (the narrow definition, the age group), copied
    # at intake and by every correction of the pupil (``pupil_dates_refresh``), so that
    # ``figures()`` reads no pupil (ADR 0024).
    pupil_born_on = models.DateField(_("geboortedatum van de leerling"), editable=False)
    pupil_startkwalificatie_on = models.DateField(
        _("startkwalificatie van de leerling behaald op"), null=True, editable=False
    )
    # The first contact, meeting, meeting with the parents and goal: kept from those rows by
    # ``first_dates_refresh`` (through ``journal``), so that the figures' within-n-days
    # targets compare columns (ADR 0025).
    first_contact_at = models.DateTimeField(_("eerste contact"), null=True, editable=False)
    first_meeting_on = models.DateField(_("eerste overleg"), null=True, editable=False)
    first_parents_meeting_on = models.DateField(
        _("eerste overleg met ouders"), null=True, editable=False
    )
    first_goal_at = models.DateTimeField(_("eerste doel gesteld"), null=True, editable=False)
    # The route starts again when a closed case reopens; escalation keys its steps on it.
    route_round = models.PositiveSmallIntegerField(_("ronde"), default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("casus")
        verbose_name_plural = _("casussen")
        ordering = ["clock_start", "id"]
        permissions = [
            ("view_case_as_care_partner", _("Casus inzien als zorgpartner")),
            ("view_case_as_arbitrator", _("Casus inzien als lid van een arbitragecommissie")),
        ]
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
            models.Index(
                fields=["swv"],
                condition=Q(at_risk=True, closed_at__isnull=True),
                name="cases_open_signal_swv_idx",
            ),
            # The scoping of the SWV and of leerplicht (cases.selectors.cases_visible_to).
            models.Index(
                fields=["swv", "clock_start"],
                condition=Q(shared_with_swv=True),
                name="cases_swv_shared_idx",
            ),
            models.Index(
                fields=["municipality", "clock_start"],
                condition=Q(shared_with_leerplicht=True),
                name="cases_municipality_shared_idx",
            ),
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
    NOTE = "note", _("Aantekening")
    CONVERSATION = "conversation", _("Gesprek")
    DECISION = "decision", _("Besluit")
    PHASE_CHANGED = "phase_changed", _("Fase gewijzigd")
    LEAD_CHANGED = "lead_changed", _("Casusregie overgedragen")
    LADDER_CHANGED = "ladder_changed", _("Ladder van effectiviteit bijgewerkt")
    DETAILS_CHANGED = "details_changed", _("Gegevens bijgewerkt")
    PARTICIPANT_ADDED = "participant_added", _("Betrokkene toegevoegd")
    PARTICIPANT_REMOVED = "participant_removed", _("Betrokkene verwijderd")
    GOAL_ADDED = "goal_added", _("Doel toegevoegd")
    ACTION_ADDED = "action_added", _("Actie toegevoegd")
    ACTION_STATUS = "action_status", _("Status van een actie gewijzigd")
    MEETING_HELD = "meeting_held", _("Overleg vastgelegd")
    ARRANGEMENT_ADDED = "arrangement_added", _("Arrangement vastgelegd")
    CARE_ACCESS_GRANTED = "care_access_granted", _("Zorgpartner uitgenodigd")
    CARE_ACCESS_REVOKED = "care_access_revoked", _("Toegang zorgpartner ingetrokken")
    CLOSED = "closed", _("Casus gesloten")
    REOPENED = "reopened", _("Casus heropend")
    CHECK_IN = "check_in", _("Nazorgcontact")
    CLOCK_STARTED = "clock_started", _("Verzuim gemeld: de klok loopt")
    CONSENT_AGE = "consent_age", _("Toestemming volgt de leeftijd")
    SCHOOL_CHANGED = "school_changed", _("Andere school of ander samenwerkingsverband")


# The journal rows that count as contact with the family (the reports' first-contact target);
# also the condition of the partial index that serves that query, so the two cannot differ.
CONTACT_EVENT_KINDS = [CaseEventKind.CONVERSATION.value, CaseEventKind.MEETING_HELD.value]
# The journal rows written with a contact, a meeting or a goal: ``journal`` keeps the case's
# first dates when it writes one (``CaseQuerySet.first_dates_refresh``).
FIRST_DATE_EVENT_KINDS = frozenset([*CONTACT_EVENT_KINDS, CaseEventKind.GOAL_ADDED.value])


class CaseEvent(ChoiceLabels, models.Model):
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
        indexes = [
            models.Index(fields=["case", "at"], name="cases_event_case_at_idx"),
            # The first contact of a case (the reports' target cohort): one probe per case
            # instead of reading its whole journal.
            models.Index(
                fields=["case", "at"],
                condition=Q(kind__in=CONTACT_EVENT_KINDS),
                name="cases_event_contact_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def text(self) -> str:
        """The message in the reader's language: a system text renders from its code
        (``cases.texts``); other rows, older ones included, show the stored message."""
        from .texts import stored_text

        return stored_text(self.data, self.message)


class LeadAssignment(ChoiceLabels, models.Model):
    """Who held the lead, from when until when. Exactly one row per case is current."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lead_history")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("casusregie")
        verbose_name_plural = _("casusregie (historie)")
        ordering = ["case", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(ended_at__isnull=True),
                name="cases_one_current_lead",
                violation_error_message=_("Een casus heeft precies één casusregisseur."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.started_at:%Y-%m-%d})"


class ParticipantRole(models.TextChoices):
    ZORGCOORDINATOR = "zorgcoordinator", _("Zorgcoördinator of intern begeleider")
    LEERPLICHT = "leerplicht", _("Leerplichtambtenaar")
    CASUSREGISSEUR = "casusregisseur", _("Casusregisseur")
    SWV_CONSULTANT = "swv_consultant", _("Consulent samenwerkingsverband")
    JEUGDARTS = "jeugdarts", _("Jeugdarts (JGZ)")
    JEUGDHULP = "jeugdhulp", _("Jeugdhulp of wijkteam")
    GGZ = "ggz", _("Jeugd-GGZ")
    PARENT = "parent", _("Ouder of verzorger")
    PUPIL = "pupil", _("Leerling")
    OTHER = "other", _("Anders")


class Participant(ChoiceLabels, models.Model):
    """Someone involved in this case, with their role in it (a user, or a named person)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("naam"), max_length=200, blank=True)
    role = models.CharField(_("rol in de casus"), max_length=20, choices=ParticipantRole.choices)
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("betrokkene")
        verbose_name_plural = _("betrokkenen")
        ordering = ["case", "added_at", "id"]
        indexes = [models.Index(fields=["user", "removed_at"], name="cases_participant_user_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user is not None:  # no query without a user_id
            return self.user.full_name or self.user.email
        return self.name


class Goal(models.Model):
    """A SMART goal of the plan of approach."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    description = models.TextField(_("doel"))
    measure = models.TextField(_("wanneer bereikt"), blank=True)
    target_date = models.DateField(_("streefdatum"), null=True, blank=True)
    achieved_on = models.DateField(_("bereikt op"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Gedaan")
    CANCELLED = "cancelled", _("Vervallen")


class MeetingKind(models.TextChoices):
    MDO = "mdo", _("MDO")
    ZAT = "zat", _("ZAT")
    THUISZITTERSTAFEL = "thuiszitterstafel", _("Thuiszitterstafel")
    DOORBRAAKTEAM = "doorbraakteam", _("Doorbraakteam")
    ARBITRATION_HEARING = "arbitration_hearing", _("Arbitragezitting")


class Meeting(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("soort overleg"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("datum"))
    participants = models.ManyToManyField(Participant, blank=True, related_name="meetings")
    parents_present = models.BooleanField(_("ouders aanwezig"), default=False)
    pupil_present = models.BooleanField(_("leerling aanwezig"), default=False)
    notes = models.TextField(_("verslag"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    # Read with the meeting by ``cases.selectors.meetings_in_full``: decisions (id, text)
    # and the participants present, by id and by name.
    decision_list: "list[Any]"
    participant_ids: list[int]
    present: list[str]

    class Meta:
        verbose_name = _("overleg")
        verbose_name_plural = _("overleggen")
        ordering = ["case", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("besluit"))

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("besluit")
        verbose_name_plural = _("besluiten")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Action(ChoiceLabels, models.Model):
    """Who does what by when. The owner is a person, an organisation, or both."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    description = models.TextField(_("actie"))
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("eigenaar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_actions",
    )
    owner_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("eigenaar (organisatie)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_actions",
    )
    due_on = models.DateField(_("uiterlijk op"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner_user", "status", "due_on"], name="cases_action_user_idx"),
            models.Index(
                fields=["owner_organisation", "status", "due_on"], name="cases_action_org_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=False) | Q(owner_organisation__isnull=False),
                name="cases_action_has_owner",
                violation_error_message=_("Een actie heeft een eigenaar."),
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_overdue(self) -> bool:
        return action_is_overdue(self.status, self.due_on)


def action_is_overdue(status: str, due_on: datetime.date) -> bool:
    """An action still open after its day (also for an action read as a row)."""
    return status == ActionStatus.OPEN and due_on < timezone.localdate()


class ArrangementKind(models.TextChoices):
    ONDERWIJSZORGARRANGEMENT = "onderwijszorgarrangement", _("Onderwijszorgarrangement")
    VARIAWET = "variawet", _("Afwijking onderwijstijd (Variawet)")
    DISTANCE_EDUCATION = "distance_education", _("Afstandsonderwijs")
    SPECIAL_EDUCATION = "special_education", _("Plaatsing in het speciaal onderwijs")
    DAYTIME_ACTIVITY_WORK = "daytime_activity_work", _("Dagbesteding of werk")


class Arrangement(ChoiceLabels, models.Model):
    """The offer that ends the case; costs split between municipality and SWV."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="arrangements")
    kind = models.CharField(_("soort"), max_length=32, choices=ArrangementKind.choices)
    description = models.TextField(_("omschrijving"), blank=True)
    start_on = models.DateField(_("start"))
    share_percent = models.PositiveSmallIntegerField(
        _("deel van de onderwijstijd (%)"), validators=[MaxValueValidator(100)]
    )
    is_suitable_offer = models.BooleanField(_("passend aanbod"), default=True)
    cost_total = models.DecimalField(
        _("kosten (frictiebudget)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    municipality_share_percent = models.PositiveSmallIntegerField(
        _("aandeel gemeente (%)"), default=50, validators=[MaxValueValidator(100)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("arrangement")
        verbose_name_plural = _("arrangementen")
        ordering = ["case", "start_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.start_on})"

    @property
    def cost_municipality(self) -> Decimal:
        return (self.cost_total * self.municipality_share_percent / 100).quantize(Decimal("0.01"))

    @property
    def cost_swv(self) -> Decimal:
        return self.cost_total - self.cost_municipality


class CheckInOutcome(models.TextChoices):
    GOING_WELL = "going_well", _("Gaat goed")
    CONCERNS = "concerns", _("Zorgen, maar op school")
    MISSING_AGAIN = "missing_again", _("Weer thuis: casus heropenen")


class AftercareCheckIn(ChoiceLabels, models.Model):
    """A check-in 3, 6 and 12 months after a case closed with an offer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="check_ins")
    due_on = models.DateField(_("gepland op"), db_index=True)
    done_on = models.DateField(_("gedaan op"), null=True, blank=True)
    outcome = models.CharField(
        _("uitkomst"), max_length=16, choices=CheckInOutcome.choices, blank=True
    )
    note = models.TextField(_("toelichting"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled = models.BooleanField(default=False)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("nazorgcontact")
        verbose_name_plural = _("nazorgcontacten")
        ordering = ["case", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.due_on}"


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Per-case grants (a care partner invited to one case), with a real foreign key."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
