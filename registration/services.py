"""Services of registration: pupils, enrolments, consent, and the validation of a report.

Writing a report and joining it to a case is the intake service in ``cases``; it calls
``absence_report_validate`` and ``absence_report_create`` here.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuiszitters.access import has_capability
from thuiszitters.audit import audit_change, snapshot
from thuiszitters.models import (
    AuditAction,
    Municipality,
    Organisation,
    OrganisationKind,
    School,
    User,
)
from thuiszitters.roles import Capability

from .models import (
    LAWFUL_KINDS,
    AbsenceKind,
    AbsenceReport,
    Consent,
    ConsentScope,
    Enrolment,
    Guardian,
    Pupil,
)
from .rules import age_on, consent_state

MIN_AGE, MAX_AGE = 4, 18


# --- pupils ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianInput:
    name: str
    relation: str
    phone: str = ""
    email: str = ""
    has_parental_authority: bool = True


@transaction.atomic
def pupil_create(
    *,
    actor: User,
    given_names: str,
    surname: str,
    date_of_birth: datetime.date,
    municipality: Municipality,
    surname_prefix: str = "",
    bsn: str | None = None,
    guardians: list[GuardianInput] = (),
) -> Pupil:
    pupil = Pupil(
        given_names=given_names.strip(),
        surname_prefix=surname_prefix.strip(),
        surname=surname.strip(),
        date_of_birth=date_of_birth,
        municipality=municipality,
        bsn=(bsn or "").strip() or None,
    )
    pupil.full_clean()
    age = age_on(date_of_birth, timezone.localdate())
    if not MIN_AGE <= age <= MAX_AGE:
        raise ValidationError(
            {
                "date_of_birth": _("Een leerling is tussen 4 en 18 jaar oud (nu %(age)s).")
                % {"age": age}
            }
        )
    pupil.save()
    audit_change(actor=actor, obj=pupil, action=AuditAction.CREATE, organisation=municipality)
    for g in guardians:
        guardian = Guardian(pupil=pupil, **g.__dict__)
        guardian.full_clean()
        guardian.save()
        audit_change(actor=actor, obj=guardian, action=AuditAction.CREATE)
    return pupil


@transaction.atomic
def enrolment_create(
    *,
    actor: User,
    pupil: Pupil,
    school: School,
    start: datetime.date,
    end: datetime.date | None = None,
) -> Enrolment:
    enrolment = Enrolment(pupil=pupil, school=school, start=start, end=end)
    enrolment.full_clean()
    enrolment.save()
    audit_change(actor=actor, obj=enrolment, action=AuditAction.CREATE, organisation=school)
    return enrolment


@transaction.atomic
def pupil_find_or_create_for_school(
    *, actor: User, school: School, enrolled_from: datetime.date, **pupil_fields
) -> Pupil:
    """A school adds a pupil. A pupil already known by BSN is enrolled, not duplicated; the
    school learns nothing about the existing record beyond what it typed."""
    bsn = (pupil_fields.get("bsn") or "").strip()
    pupil = Pupil.objects.select_for_update().filter(bsn=bsn).first() if bsn else None
    if pupil is None:
        pupil = pupil_create(actor=actor, **pupil_fields)
    if not Enrolment.objects.current(on=enrolled_from).filter(pupil=pupil, school=school).exists():
        enrolment_create(actor=actor, pupil=pupil, school=school, start=enrolled_from)
    return pupil


# --- consent -----------------------------------------------------------------------------


def pupil_consent_state(pupil: Pupil, on: datetime.date | None = None):
    """Per scope: whose consent is needed at the pupil's age, what holds, what is missing."""
    day = on or timezone.localdate()
    statements = pupil.consents.filter(stated_on__lte=day).order_by("stated_on", "id")
    return consent_state(
        age_on(pupil.date_of_birth, day),
        ConsentScope.values,
        statements.values_list("scope", "party", "status"),
    )


def _report_sharing(report: AbsenceReport, state) -> tuple[bool, bool]:
    if report.kind in LAWFUL_KINDS or report.consent_override_reason:
        return True, True
    return (
        state[ConsentScope.SHARE_WITH_LEERPLICHT].effective,
        state[ConsentScope.SHARE_WITH_SWV].effective,
    )


def report_sharing_refresh(*, pupil: Pupil, actor: User | None, reason: str = "") -> int:
    """Bring every report's sharing (and the pupil's flags for care partners and binding
    arbitration) in line with the pupil's consent now; returns the number of changed rows.

    Called after each consent statement, so a withdrawal removes access at once.
    """
    state = pupil_consent_state(pupil)
    changed = 0
    care = state[ConsentScope.SHARE_WITH_CARE_PARTNERS].effective
    if pupil.shared_with_care_partners != care:
        fields = ["shared_with_care_partners", "care_consent_since"]
        before = snapshot(pupil, fields)
        pupil.shared_with_care_partners = care
        pupil.care_consent_since = timezone.now() if care else None
        pupil.save(update_fields=fields)
        audit_change(
            actor=actor, obj=pupil, before=before, after=snapshot(pupil, fields), reason=reason
        )
        changed += 1
    arbitration = state[ConsentScope.BINDING_ARBITRATION].effective
    if pupil.binding_arbitration_agreed != arbitration:
        before = snapshot(pupil, ["binding_arbitration_agreed"])
        pupil.binding_arbitration_agreed = arbitration
        pupil.save(update_fields=["binding_arbitration_agreed"])
        audit_change(
            actor=actor,
            obj=pupil,
            before=before,
            after=snapshot(pupil, ["binding_arbitration_agreed"]),
            reason=reason,
        )
        changed += 1
    for report in pupil.absence_reports.select_for_update().order_by("id"):
        leerplicht, swv = _report_sharing(report, state)
        if (report.shared_with_leerplicht, report.shared_with_swv) == (leerplicht, swv):
            continue
        fields = ["shared_with_leerplicht", "shared_with_swv"]
        before = snapshot(report, fields)
        report.shared_with_leerplicht, report.shared_with_swv = leerplicht, swv
        report.save(update_fields=fields)
        audit_change(
            actor=actor, obj=report, before=before, after=snapshot(report, fields), reason=reason
        )
        changed += 1
    return changed


@transaction.atomic
def consent_record(
    *,
    actor: User,
    pupil: Pupil,
    scope: str,
    status: str,
    party: str,
    stated_on: datetime.date,
    how: str,
    guardian: Guardian | None = None,
    note: str = "",
) -> Consent:
    """Record a statement of consent (given, refused or withdrawn) and apply it at once."""
    Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
    consent = Consent(
        pupil=pupil,
        scope=scope,
        status=status,
        party=party,
        stated_on=stated_on,
        how=how,
        guardian=guardian,
        recorded_by=actor,
        note=note,
    )
    consent.full_clean()
    consent.save()
    audit_change(actor=actor, obj=consent, action=AuditAction.CREATE, reason=note)
    report_sharing_refresh(pupil=pupil, actor=actor, reason=f"consent {scope} {status} by {party}")
    return consent


# --- reports -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    """A report as every channel delivers it, before validation."""

    pupil: Pupil
    kind: str
    absence_started_on: datetime.date
    parents_informed_on: datetime.date | None
    parents_informed_how: str
    reported_on: datetime.date | None = None
    absence_ended_on: datetime.date | None = None
    hours_missed_last_4_weeks: Decimal | None = None
    share_followed_percent: int | None = None
    striking_sickness: bool = False
    expects_thuiszitter_soon: bool = False
    reason: str = ""
    consent_override_reason: str = ""
    client_key: str | None = None


# What a reporter fills in about the absence, in the order forms and the API present it.
REPORT_FIELDS = (
    "kind",
    "reported_on",
    "absence_started_on",
    "absence_ended_on",
    "hours_missed_last_4_weeks",
    "share_followed_percent",
    "striking_sickness",
    "expects_thuiszitter_soon",
    "reason",
    "parents_informed_on",
    "parents_informed_how",
)


@dataclass(frozen=True)
class ReportPlacement:
    """Where a valid report belongs: the school of enrolment, its SWV, the municipality."""

    school: School | None
    swv_id: int | None
    municipality_id: int


def absence_report_validate(
    *, data: ReportInput, reporting_organisation: Organisation, actor: User
) -> ReportPlacement:
    """Every rule of a report, with field-level messages; returns where the report belongs."""
    today = timezone.localdate()
    reported_on = data.reported_on or today
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if data.kind not in AbsenceKind.values:
        error("kind", _("Kies een soort verzuim uit de lijst."))
    if reported_on > today:
        error("reported_on", _("De meldingsdatum ligt in de toekomst."))
    if data.absence_started_on > today:
        error("absence_started_on", _("De eerste verzuimdag ligt in de toekomst."))
    elif data.absence_started_on > reported_on:
        error("absence_started_on", _("De eerste verzuimdag ligt na de meldingsdatum."))
    if data.absence_ended_on and data.absence_ended_on < data.absence_started_on:
        error("absence_ended_on", _("De laatste verzuimdag ligt voor de eerste."))
    if data.absence_ended_on and data.absence_ended_on > today:
        error("absence_ended_on", _("De laatste verzuimdag ligt in de toekomst."))
    if data.parents_informed_on is None:
        error(
            "parents_informed_on",
            _("Geef aan wanneer de ouders zijn geïnformeerd; dat moet vóór de melding."),
        )
    elif data.parents_informed_on > reported_on:
        error("parents_informed_on", _("De ouders worden geïnformeerd vóór de melding, niet erna."))
    if not data.parents_informed_how:
        error("parents_informed_how", _("Geef aan hoe de ouders zijn geïnformeerd."))
    hours = data.hours_missed_last_4_weeks
    if hours is not None and not Decimal(0) <= hours <= Decimal(160):
        error("hours_missed_last_4_weeks", _("Het aantal uren ligt tussen 0 en 160 (4 weken)."))
    percent = data.share_followed_percent
    if percent is not None and not 0 <= percent <= 100:
        error("share_followed_percent", _("Het percentage ligt tussen 0 en 100."))
    age = age_on(data.pupil.date_of_birth, reported_on)
    if not MIN_AGE <= age <= MAX_AGE:
        error(
            "pupil",
            _("Meldingen gaan over leerlingen van 4 tot en met 18 jaar; deze leerling is %(age)s.")
            % {"age": age},
        )
    if data.consent_override_reason and not has_capability(
        actor, Capability.OVERRIDE_CONSENT, organisation_id=reporting_organisation.pk
    ):
        error("consent_override_reason", _("Uw rol mag ontbrekende toestemming niet overrulen."))

    placement = None
    kind = reporting_organisation.kind
    enrolment = (
        Enrolment.objects.current(on=reported_on)
        .filter(pupil=data.pupil)
        .select_related("school")
        .order_by("-start")
    )
    if data.kind == AbsenceKind.NOT_ENROLLED:
        if kind not in (
            OrganisationKind.LEERPLICHT_BUREAU,
            OrganisationKind.MUNICIPALITY,
            OrganisationKind.SWV,
        ):
            error(
                "kind",
                _(
                    "Absoluut verzuim (niet ingeschreven) meldt leerplicht of het "
                    "samenwerkingsverband, niet de school."
                ),
            )
        elif enrolment.exists():
            error("kind", _("Deze leerling staat ingeschreven; kies een andere soort verzuim."))
        else:
            swv_id = reporting_organisation.pk if kind == OrganisationKind.SWV else None
            placement = ReportPlacement(None, swv_id, data.pupil.municipality_id)
    elif kind == OrganisationKind.SCHOOL:
        own = enrolment.filter(school_id=reporting_organisation.pk).first()
        if own is None:
            error(
                "pupil",
                _("Deze leerling staat op de meldingsdatum niet ingeschreven op uw school."),
            )
        else:
            placement = ReportPlacement(own.school, own.school.swv_id, data.pupil.municipality_id)
    else:
        current = enrolment.first()
        if current is None:
            error("pupil", _("Deze leerling staat nergens ingeschreven; meld absoluut verzuim."))
        elif kind == OrganisationKind.SWV and current.school.swv_id != reporting_organisation.pk:
            error(
                "pupil",
                _(
                    "Deze leerling staat niet ingeschreven op een school van uw "
                    "samenwerkingsverband."
                ),
            )
        else:
            placement = ReportPlacement(
                current.school, current.school.swv_id, data.pupil.municipality_id
            )

    if errors:
        raise ValidationError(errors)
    return placement


def absence_report_create(
    *,
    data: ReportInput,
    placement: ReportPlacement,
    reporting_organisation: Organisation,
    actor: User,
    channel: str,
) -> AbsenceReport:
    """Write a validated report with its sharing; the caller holds the transaction."""
    report = AbsenceReport(
        pupil=data.pupil,
        kind=data.kind,
        reporting_organisation=reporting_organisation,
        reported_by=actor,
        reported_on=data.reported_on or timezone.localdate(),
        absence_started_on=data.absence_started_on,
        absence_ended_on=data.absence_ended_on,
        hours_missed_last_4_weeks=data.hours_missed_last_4_weeks,
        share_followed_percent=data.share_followed_percent,
        striking_sickness=data.striking_sickness,
        expects_thuiszitter_soon=data.expects_thuiszitter_soon,
        reason=data.reason,
        parents_informed_on=data.parents_informed_on,
        parents_informed_how=data.parents_informed_how,
        school=placement.school,
        swv_id=placement.swv_id,
        municipality_id=placement.municipality_id,
        consent_override_reason=data.consent_override_reason,
        channel=channel,
        client_key=data.client_key or None,
    )
    report.shared_with_leerplicht, report.shared_with_swv = _report_sharing(
        report, pupil_consent_state(data.pupil)
    )
    report.full_clean(validate_unique=False, validate_constraints=False)
    report.save()
    audit_change(
        actor=actor,
        obj=report,
        action=AuditAction.CREATE,
        organisation=reporting_organisation,
        reason=data.consent_override_reason,
    )
    return report
