"""Services of registration: pupils, enrolments, consent, and the validation of a report.

Writing a report and joining it to a case is the intake service in ``cases``; it calls
``absence_report_validate`` and ``absence_report_create`` here.
"""

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from celery import current_app
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuiszitters.access import has_capability
from thuiszitters.audit import audit_change, audit_record, snapshot
from thuiszitters.models import (
    AuditAction,
    AuditOutcome,
    Municipality,
    Organisation,
    OrganisationKind,
    School,
    User,
)
from thuiszitters.roles import Capability
from thuiszitters.system import Actor

from .identity import bsn_normalise, fold, identity_matches
from .models import (
    LAWFUL_KINDS,
    AbsenceKind,
    AbsenceReport,
    Consent,
    ConsentScope,
    EarlyWarningSettings,
    Enrolment,
    Guardian,
    Pupil,
)
from .rules import ScopeConsent, age_on, birthday, consent_state

MIN_AGE, MAX_AGE = 4, 18
DEFAULT_ABSENCE_MAX_MONTHS_BACK = 24

# One answer whether the BSN is unused, belongs to a pupil outside the user's scope, or to a
# pupil with another surname or date of birth: the form tells nobody which BSNs are known.
IDENTITY_REFUSED = gettext_lazy(
    "Met deze combinatie van BSN, achternaam en geboortedatum kunnen wij geen leerling "
    "vastleggen. Controleer de drie gegevens; kloppen ze, neem dan contact op met leerplicht."
)


# --- pupils ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianInput:
    name: str
    relation: str
    phone: str = ""
    email: str = ""
    has_parental_authority: bool = True


def _unsaved_pupil(obj: Guardian | Enrolment | Consent) -> list[str]:
    """What ``full_clean`` leaves out for a row of a pupil not saved yet (the checks that
    write nothing): the pupil reference, which exists only once the pupil is saved."""
    return ["pupil"] if obj.pupil.pk is None else []


def pupil_new(
    *,
    given_names: str,
    surname: str,
    date_of_birth: datetime.date,
    municipality: Municipality,
    surname_prefix: str = "",
    bsn: str | None = None,
) -> Pupil:
    """A new pupil, checked and not saved: every rule of ``pupil_create`` (ValidationError)."""
    pupil = Pupil(
        given_names=given_names.strip(),
        surname_prefix=surname_prefix.strip(),
        surname=surname.strip(),
        date_of_birth=date_of_birth,
        municipality=municipality,
        bsn=bsn_normalise(bsn) or None,
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
    return pupil


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
    guardians: Sequence[GuardianInput] = (),
    recorded_by_organisation: Organisation | None = None,
) -> Pupil:
    pupil = pupil_new(
        given_names=given_names,
        surname=surname,
        date_of_birth=date_of_birth,
        municipality=municipality,
        surname_prefix=surname_prefix,
        bsn=bsn,
    )
    pupil.save()
    audit_change(actor=actor, obj=pupil, action=AuditAction.CREATE, organisation=municipality)
    for g in guardians:
        guardian_add(actor=actor, pupil=pupil, data=g, organisation=recorded_by_organisation)
    return pupil


def guardian_new(
    *, pupil: Pupil, data: GuardianInput, organisation: Organisation | None
) -> Guardian:
    """A guardian of ``pupil`` (saved or not yet), checked and not saved."""
    guardian = Guardian(pupil=pupil, recorded_by_organisation=organisation, **data.__dict__)
    guardian.full_clean(exclude=_unsaved_pupil(guardian))
    return guardian


def guardian_add(
    *, actor: User, pupil: Pupil, data: GuardianInput, organisation: Organisation | None
) -> Guardian:
    guardian = guardian_new(pupil=pupil, data=data, organisation=organisation)
    guardian.save()
    audit_change(actor=actor, obj=guardian, action=AuditAction.CREATE, organisation=organisation)
    return guardian


def _audit_in_both_regions(
    *, actor: Actor, obj: models.Model, organisation: Organisation, pupil: Pupil, **kw: Any
) -> None:
    """A change by an organisation of another region is audited in both regions, so the
    functional administrators of the pupil's own region see it too."""
    audit_change(actor=actor, obj=obj, organisation=organisation, **kw)
    if organisation.region_id != pupil.municipality.region_id:
        audit_change(actor=actor, obj=obj, organisation=pupil.municipality, **kw)


def enrolment_new(
    *, pupil: Pupil, school: School, start: datetime.date, end: datetime.date | None = None
) -> Enrolment:
    """An enrolment of ``pupil`` (saved or not yet), checked and not saved."""
    if start < birthday(pupil.date_of_birth, MIN_AGE):
        raise ValidationError(
            {"start": _("Een leerling wordt op zijn vroegst op de 4e verjaardag ingeschreven.")}
        )
    enrolment = Enrolment(pupil=pupil, school=school, start=start, end=end)
    enrolment.full_clean(exclude=_unsaved_pupil(enrolment))
    return enrolment


@transaction.atomic
def enrolment_create(
    *,
    actor: User,
    pupil: Pupil,
    school: School,
    start: datetime.date,
    end: datetime.date | None = None,
    matched_existing: bool = False,
    alert: bool = False,
) -> Enrolment:
    """Enrol a pupil. With ``alert`` the pupil's other school and leerplicht hear of it
    (a pupil of another region, or enrolled twice): ``escalation`` delivers the alert
    after the commit, and its sweep delivers any that a lost task left."""
    enrolment = enrolment_new(pupil=pupil, school=school, start=start, end=end)
    enrolment.matched_existing, enrolment.alert_pending = matched_existing, alert
    enrolment.save()
    if alert:
        # By name: registration does not import the app that notifies (DESIGN.md 5).
        transaction.on_commit(
            lambda: current_app.send_task("escalation.deliver_enrolment_alerts"), robust=True
        )
    _audit_in_both_regions(
        actor=actor,
        obj=enrolment,
        action=AuditAction.CREATE,
        organisation=school,
        pupil=pupil,
        reason="enrolment of an already known pupil" if matched_existing else "",
    )
    return enrolment


def pupil_identify(
    *,
    actor: User,
    organisation: Organisation,
    bsn: str | None,
    surname: str,
    date_of_birth: datetime.date | None,
    surname_prefix: str = "",
) -> Pupil | None:
    """The known pupil a reporter means when adding a pupil with a BSN, or None for a pupil
    new to the system.

    A known BSN counts only together with that pupil's surname and date of birth
    (``registration.identity``); otherwise the answer is ``IDENTITY_REFUSED``, the same as
    for a BSN that a pupil registered meanwhile. The refusal is audited in the reporter's
    region and in the pupil's, and writes nothing else. Call it outside the transaction of
    the intake, so the audit row stays when the intake rolls back.
    """
    bsn = bsn_normalise(bsn)
    if not bsn:
        return None
    pupil = Pupil.objects.select_related("municipality").filter(bsn=bsn).first()
    if pupil is None:
        return None
    if identity_matches(
        pupil, surname=surname, surname_prefix=surname_prefix, date_of_birth=date_of_birth
    ):
        return pupil
    regions = [organisation]
    if pupil.municipality.region_id != organisation.region_id:
        regions.append(pupil.municipality)
    for where in regions:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            obj=pupil,
            organisation=where,
            outcome=AuditOutcome.DENIED,
            reason="identity match refused: BSN with another surname or date of birth",
        )
    raise ValidationError({"bsn": [IDENTITY_REFUSED]})


def _trusted_school_ids(pupil: Pupil, on: datetime.date) -> set[int]:
    return set(
        Enrolment.objects.current(on=on)
        .filter(pupil=pupil, matched_existing=False)
        .values_list("school_id", flat=True)
    )


def _school_of(organisation: Organisation) -> School | None:
    return organisation.school_detail if organisation.kind == OrganisationKind.SCHOOL else None


@contextmanager
def _bsn_refused(bsn: str | None) -> Iterator[None]:
    """A BSN registered meanwhile by someone else: the same answer as a mismatch."""
    try:
        yield
    except ValidationError as exc:
        if "bsn" in getattr(exc, "error_dict", {}) and bsn:
            raise ValidationError({"bsn": [IDENTITY_REFUSED]}) from exc
        raise


def _require_enrolled_from(enrolled_from: datetime.date | None) -> datetime.date:
    if enrolled_from is None:
        raise ValidationError(
            {"start": _("Geef aan sinds wanneer de leerling op uw school staat ingeschreven.")}
        )
    return enrolled_from


def pupil_register_check(
    *,
    organisation: Organisation,
    enrolled_from: datetime.date | None = None,
    guardians: Sequence[GuardianInput] = (),
    **pupil_fields: Any,
) -> tuple[Pupil, list[Enrolment]]:
    """The rules of ``pupil_register_for_report`` for a new pupil, in the same order and
    with the same errors, writing nothing: the unsaved pupil and, for a school, its
    unsaved enrolment there (by which ``absence_report_validate`` places the report)."""
    with _bsn_refused(pupil_fields.get("bsn")):
        pupil = pupil_new(**pupil_fields)
        for g in guardians:
            guardian_new(pupil=pupil, data=g, organisation=organisation)
    school = _school_of(organisation)
    if school is None:
        return pupil, []
    start = _require_enrolled_from(enrolled_from)
    return pupil, [enrolment_new(pupil=pupil, school=school, start=start)]


@transaction.atomic
def pupil_register_for_report(
    *,
    actor: User,
    organisation: Organisation,
    identified: Pupil | None,
    enrolled_from: datetime.date | None = None,
    guardians: Sequence[GuardianInput] = (),
    **pupil_fields: Any,
) -> Pupil:
    """A reporter adds the pupil of a new report: a new pupil, or the known one that
    ``pupil_identify`` matched. A school enrols the pupil from ``enrolled_from``.

    Enrolling a known pupil gives the school no sight of the pupil's earlier file: the
    enrolment is marked ``matched_existing`` (ADR 0014), and when the pupil lives in another
    region or is enrolled at another school as well, that school and leerplicht are told
    (``enrolment_alerts_pending``). The typed guardian is added as the school's own.
    """
    school = _school_of(organisation)
    if identified is None:
        with _bsn_refused(pupil_fields.get("bsn")), transaction.atomic():
            pupil = pupil_create(
                actor=actor,
                guardians=guardians,
                recorded_by_organisation=organisation,
                **pupil_fields,
            )
        matched = False
    else:
        pupil = (
            Pupil.objects.select_for_update().select_related("municipality").get(pk=identified.pk)
        )
        matched = True
        known = {
            fold(g.name) for g in pupil.guardians.filter(recorded_by_organisation=organisation)
        }
        for g in guardians:
            if fold(g.name) not in known:
                guardian_add(actor=actor, pupil=pupil, data=g, organisation=organisation)
    if school is not None:
        start = _require_enrolled_from(enrolled_from)
        current = Enrolment.objects.current(on=start).filter(pupil=pupil)
        if not current.filter(school=school).exists():
            others = current.exclude(school=school).exists()
            enrolment_create(
                actor=actor,
                pupil=pupil,
                school=school,
                start=start,
                matched_existing=matched,
                alert=matched and (others or school.region_id != pupil.municipality.region_id),
            )
    return pupil


def enrolment_alerts_pending() -> QuerySet[Enrolment]:
    """Enrolments of known pupils that the other school and leerplicht must hear about."""
    return Enrolment.objects.filter(alert_pending=True).select_related(
        "pupil__municipality", "school"
    )


# --- consent -----------------------------------------------------------------------------


class ConsentStanding(StrEnum):
    """How far a consent statement recorded by someone reaches (ADR 0014)."""

    PUPIL = "pupil"  # every report of the pupil, and the pupil's flags
    OWN_REPORTS = "own_reports"  # only the reports the recorder's organisation filed


def pupil_consent_state(
    pupil: Pupil, on: datetime.date | None = None, organisation_id: int | None = None
) -> dict[str, ScopeConsent]:
    """Per scope: whose consent is needed at the pupil's age, what holds, what is missing.

    Statements that count for the whole pupil, and with ``organisation_id`` also those that
    count only for that organisation's reports.
    """
    day = on or timezone.localdate()
    statements = pupil.consents.filter(stated_on__lte=day)
    limited = Q(limited_to_organisation__isnull=True)
    if organisation_id is not None:
        limited |= Q(limited_to_organisation_id=organisation_id)
    return consent_state(
        age_on(pupil.date_of_birth, day),
        ConsentScope.values,
        statements.filter(limited)
        .order_by("stated_on", "id")
        .values_list("scope", "party", "status"),
    )


def _report_sharing(report: AbsenceReport, state: dict[str, ScopeConsent]) -> tuple[bool, bool]:
    if report.kind in LAWFUL_KINDS or report.consent_override_reason:
        return True, True
    return (
        state[ConsentScope.SHARE_WITH_LEERPLICHT].effective,
        state[ConsentScope.SHARE_WITH_SWV].effective,
    )


def report_sharing_refresh(*, pupil: Pupil, actor: Actor, reason: str = "") -> int:
    """Bring every report's sharing (and the pupil's flags for care partners and binding
    arbitration) in line with the pupil's consent now; returns the number of changed rows.

    Called after each consent statement, so a withdrawal removes access at once. A report
    counts the statements for the whole pupil and those limited to its reporter's reports.
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
    limited_orgs = set(
        pupil.consents.filter(limited_to_organisation__isnull=False).values_list(
            "limited_to_organisation_id", flat=True
        )
    )
    states = {org: pupil_consent_state(pupil, organisation_id=org) for org in limited_orgs}
    for report in pupil.absence_reports.select_for_update().order_by("id"):
        leerplicht, swv = _report_sharing(
            report, states.get(report.reporting_organisation_id, state)
        )
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


def consent_standing(actor: User, pupil: Pupil) -> ConsentStanding | None:
    """Whether ``actor`` may record consent for the whole pupil, from registration's data:
    working for a school where the pupil is enrolled now (not only through matching a known
    pupil), or for leerplicht or an SWV that a report of the pupil is shared with. The case
    services add the case's lead (``cases.services.case_consent_record``)."""
    from .selectors import personal_data_orgs

    ids = personal_data_orgs(actor)
    if ids[OrganisationKind.SCHOOL] & _trusted_school_ids(pupil, timezone.localdate()):
        return ConsentStanding.PUPIL
    shared = Q(pk__in=[])
    if ids[OrganisationKind.SWV]:
        shared |= Q(swv_id__in=ids[OrganisationKind.SWV], shared_with_swv=True)
    if ids[OrganisationKind.LEERPLICHT_BUREAU] or ids[OrganisationKind.MUNICIPALITY]:
        from .selectors import leerplicht_municipality_q

        shared |= leerplicht_municipality_q(ids) & Q(shared_with_leerplicht=True)
    if pupil.absence_reports.filter(shared).exists():
        return ConsentStanding.PUPIL
    return None


def consent_new(
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
    limited_to: Organisation | None = None,
) -> Consent:
    """A statement of consent by ``actor`` for ``pupil`` (saved or not yet), checked and not
    saved; who may record it is ``consent_record``'s question."""
    if guardian is not None and guardian.pupil_id != pupil.pk:
        raise ValidationError({"guardian": _("Deze ouder hoort niet bij deze leerling.")})
    consent = Consent(
        pupil=pupil,
        scope=scope,
        status=status,
        party=party,
        stated_on=stated_on,
        how=how,
        guardian=guardian,
        recorded_by=actor,
        limited_to_organisation=limited_to,
        note=note,
    )
    consent.full_clean(exclude=_unsaved_pupil(consent))
    return consent


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
    standing: ConsentStanding | None = None,
    organisation: Organisation | None = None,
) -> Consent:
    """Record a statement of consent (given, refused or withdrawn) and apply it at once.

    Only someone with standing may (``consent_standing``, or what a higher service vouches
    for: the case's lead, a reporting school for its new report). A statement with standing
    ``OWN_REPORTS`` counts only for the reports that ``organisation`` filed, so nobody widens
    the sharing of another organisation's reports by recording consent (ADR 0014).
    """
    standing = standing or consent_standing(actor, pupil)
    if standing is None:
        raise PermissionDenied(_("U mag voor deze leerling geen toestemming vastleggen."))
    if standing == ConsentStanding.OWN_REPORTS and organisation is None:
        raise ValueError("a statement for own reports names the organisation")
    consent = consent_new(
        actor=actor,
        pupil=pupil,
        scope=scope,
        status=status,
        party=party,
        stated_on=stated_on,
        how=how,
        guardian=guardian,
        note=note,
        limited_to=organisation if standing == ConsentStanding.OWN_REPORTS else None,
    )
    Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
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


def absence_max_months_back(region_id: int | None) -> int:
    months = (
        EarlyWarningSettings.objects.filter(region_id=region_id)
        .values_list("absence_max_months_back", flat=True)
        .first()
        if region_id
        else None
    )
    return months or DEFAULT_ABSENCE_MAX_MONTHS_BACK


def absence_start_errors(pupil: Pupil, day: datetime.date) -> list[str]:
    """Why ``day`` cannot be the first day of a real absence of ``pupil`` (or the start of a
    case's clock, by any channel): before the 4th birthday, or further back than the
    region allows (24 months by default)."""
    errors = []
    if day < birthday(pupil.date_of_birth, MIN_AGE):
        errors.append(_("De eerste verzuimdag ligt vóór de 4e verjaardag van de leerling."))
    months = absence_max_months_back(pupil.municipality.region_id)
    if day < timezone.localdate() - relativedelta(months=months):
        errors.append(
            _("De eerste verzuimdag ligt meer dan %(months)s maanden terug; controleer de datum.")
            % {"months": months}
        )
    return errors


def _enrolments_on(
    pupil: Pupil, day: datetime.date, unsaved: Sequence[Enrolment]
) -> list[Enrolment]:
    """The pupil's enrolments current on ``day``, latest start first; for a pupil not saved
    yet (the intake's check) those in ``unsaved``."""
    if pupil.pk is None:
        current = [e for e in unsaved if e.start <= day and (e.end is None or e.end >= day)]
        return sorted(current, key=lambda e: e.start, reverse=True)
    return list(
        Enrolment.objects.current(on=day)
        .filter(pupil=pupil)
        .select_related("school")
        .order_by("-start")
    )


def absence_report_validate(
    *,
    data: ReportInput,
    reporting_organisation: Organisation,
    actor: User,
    new_enrolments: Sequence[Enrolment] = (),
) -> ReportPlacement:
    """Every rule of a report, with field-level messages; returns where the report belongs.

    Reads, never writes: ``data.pupil`` may be a new pupil not saved yet, enrolled as
    ``new_enrolments`` say (``pupil_register_check``).
    """
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
    for message in absence_start_errors(data.pupil, data.absence_started_on):
        error("absence_started_on", message)
    if (
        data.parents_informed_on is not None
        and data.absence_started_on > data.parents_informed_on
        and data.parents_informed_on <= reported_on
    ):
        error(
            "parents_informed_on",
            _("De ouders zijn geïnformeerd over dit verzuim: niet vóór de eerste verzuimdag."),
        )
    if data.consent_override_reason and not has_capability(
        actor, Capability.OVERRIDE_CONSENT, organisation_id=reporting_organisation.pk
    ):
        error("consent_override_reason", _("Uw rol mag ontbrekende toestemming niet overrulen."))

    placement = None
    kind = reporting_organisation.kind
    if data.kind == AbsenceKind.NOT_ENROLLED:
        # Absoluut verzuim: leerplicht or the SWV, for a pupil without a current enrolment.
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
        elif _enrolments_on(data.pupil, reported_on, new_enrolments):
            error("kind", _("Deze leerling staat ingeschreven; kies een andere soort verzuim."))
        else:
            swv_id = reporting_organisation.pk if kind == OrganisationKind.SWV else None
            placement = ReportPlacement(None, swv_id, data.pupil.municipality_id)
    elif kind != OrganisationKind.SCHOOL:
        # Every other kind comes from the school, which knows the pupil and informed the
        # parents; a report by leerplicht or the SWV would open a file they cannot see.
        error(
            "kind",
            _(
                "Dit verzuim meldt de school waar de leerling staat ingeschreven; leerplicht "
                "en het samenwerkingsverband melden alleen absoluut verzuim."
            ),
        )
    else:
        own = next(
            (
                e
                for e in _enrolments_on(data.pupil, data.absence_started_on, new_enrolments)
                if e.school_id == reporting_organisation.pk
            ),
            None,
        )
        if own is None:
            error(
                "pupil",
                _("Deze leerling stond op de eerste verzuimdag niet ingeschreven op uw school."),
            )
        else:
            placement = ReportPlacement(own.school, own.school.swv_id, data.pupil.municipality_id)

    if errors or placement is None:  # no placement only together with an error
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
    if data.parents_informed_on is None:
        raise ValueError("Validate the report first (absence_report_validate refuses this).")
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
        report, pupil_consent_state(data.pupil, organisation_id=reporting_organisation.pk)
    )
    report.full_clean(validate_unique=False, validate_constraints=False)
    report.save()
    _audit_in_both_regions(
        actor=actor,
        obj=report,
        action=AuditAction.CREATE,
        organisation=reporting_organisation,
        pupil=data.pupil,
        reason=data.consent_override_reason,
    )
    return report
